using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;

// Usage: Mlops.Quality.Bench <dataset file> <project spec JSON> <output folder>
// Runs what a pipeline run does, in one process: ingest (schema inference), split, candidate search with k-fold CV on the
// training part (candidates in parallel, one per core, as the orchestrator fans activities out), refit of the winner,
// ONNX export with its parity check, and scoring of the ONNX model on the holdout. Writes data.csv, schema.json and
// split.json for the scikit-learn side, and prints one JSON line with the figures.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Mlops.Quality.Bench <dataset file> <spec json> <output folder>");
    return 2;
}

var (file, specJson, outDir) = (args[0], args[1], args[2]);
Directory.CreateDirectory(outDir);
var spec = ProjectSpecParser.Parse(specJson);
var canonicalPath = Path.Combine(outDir, "data.csv");
IngestionResult ingested;
await using (var input = File.OpenRead(file))
await using (var canonical = File.Create(canonicalPath))
{
    ingested = await new DatasetIngestor().IngestAsync(input, Path.GetFileName(file), spec, null, canonical);
}

if (!ingested.IsAccepted)
{
    Console.Error.WriteLine(JsonSerializer.Serialize(ingested.Report, SpecJson.Options));
    return 1;
}

await using var csv = File.OpenRead(canonicalPath);
var table = await DatasetReader.ReadCanonicalCsvAsync(csv, ingested.Schema!);
var split = DataSplit.Split(table, spec);
File.WriteAllText(Path.Combine(outDir, "schema.json"), JsonSerializer.Serialize(ingested.Schema, SpecJson.Options));
File.WriteAllText(Path.Combine(outDir, "split.json"), JsonSerializer.Serialize(split, SpecJson.Options));
var train = table.SelectRows(split.Train);
var holdout = table.SelectRows(split.Holdout);

var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
var total = Stopwatch.StartNew();
var candidates = CandidateSearch.Candidates(spec, train.RowCount);
var scores = new ConcurrentBag<CandidateScore>();
Parallel.ForEach(candidates, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c => scores.Add(CandidateSearch.Evaluate(train, spec, c)));
var searchSeconds = total.Elapsed.TotalSeconds;
var ordered = candidates.Select(c => scores.Single(s => s.Candidate.Id == c.Id)).ToList();
var ranked = WinnerExport.Rank(ordered, spec.Metric);
var winner = WinnerExport.FitAndExport(train, holdout, spec, ranked.Select(s => s.Candidate).ToList());
var (export, best) = (winner.Export, ranked.First(s => s.Candidate.Id == winner.Fitted.Candidate.Id));
var totalSeconds = total.Elapsed.TotalSeconds;
process.Refresh();
var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
var metrics = Scorer.Score(export.Model, export.Signature, holdout, spec.Target);

Console.WriteLine(JsonSerializer.Serialize(new
{
    dataset = Path.GetFileName(file),
    rows = table.RowCount,
    trainRows = train.RowCount,
    holdoutRows = holdout.RowCount,
    metric = spec.Metric,
    value = metrics[spec.Metric],
    metrics,
    winner = best.Candidate.ToString(),
    skipped = winner.Skipped,
    cv = best.Metrics[spec.Metric],
    candidates = candidates.Count,
    folds = spec.Search.Folds,
    searchSeconds = Math.Round(searchSeconds, 1),
    totalSeconds = Math.Round(totalSeconds, 1),
    // CPU time of search + refit + export: on an otherwise idle 2-core machine the wall time is about half of it.
    cpuSeconds = Math.Round(cpuSeconds, 1),
    parityMaxDiff = export.Parity.MaxAbsDifference.ToString("G3", CultureInfo.InvariantCulture),
    perTrainer = ordered.GroupBy(s => s.Candidate.Trainer).ToDictionary(g => g.Key, g => Math.Round(CandidateSearch.Best(g, spec.Metric).Metrics[spec.Metric], 4)),
}));
return 0;
