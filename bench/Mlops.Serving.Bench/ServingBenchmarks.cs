using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Serving;
using Mlops.Modeling.Training;
using Mlops.Testing;

namespace Mlops.Serving.Bench;

/// <summary>
/// One LightGBM model (seattle-weather, multiclass, 5 classes, 4 float inputs), single row and 1,000-row batches:
/// the bare in-process <see cref="OnnxPredictor"/> on pre-parsed rows (baseline) vs <see cref="PredictionService"/>
/// from request bytes (parse + alias lookup + predict + ids + prediction-log enqueue; the log drains in the
/// background to the in-memory blob store). Parse alone is shown to split the difference.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ServingBenchmarks
{
    private const string Model = "weather";
    private OnnxPredictor _predictor = null!;
    private PredictionService _service = null!;
    private PredictionLogWriter _log = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> _rows = null!;
    private byte[] _body = null!;
    private readonly ScoringRequestParser _parser = new();

    [Params(1, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var schema = new DatasetSchema(
        [
            new ColumnSchema("date", ColumnKind.Date, false), new ColumnSchema("precipitation", ColumnKind.Numeric, false),
            new ColumnSchema("temp_max", ColumnKind.Numeric, false), new ColumnSchema("temp_min", ColumnKind.Numeric, false),
            new ColumnSchema("wind", ColumnKind.Numeric, false), new ColumnSchema("weather", ColumnKind.Categorical, false),
        ]);
        using var file = File.OpenRead(RepoPaths.Dataset("seattle-weather.csv"));
        var table = DatasetReader.ReadCanonicalCsvAsync(file, schema).GetAwaiter().GetResult();
        var spec = new ProjectSpec { Target = "weather", Task = TaskKind.Multiclass, Ignore = ["date"], Metric = "macroF1", Trainers = ["lightgbm"] };
        var split = DataSplit.Split(table, spec);
        var train = table.SelectRows(split.Train);
        var holdout = table.SelectRows(split.Holdout);
        var export = OnnxExporter.Export(CandidateTrainer.Fit(train, spec, CandidateSearch.Candidates(spec, train.RowCount)[0]), holdout);

        var catalog = CatalogServices.InMemory();
        var version = catalog.Models.RegisterVersionAsync(new ModelRegistration
        {
            Model = Model, RunId = "bench", Task = TaskKind.Multiclass, Data = new ModelCardData(new string('a', 64), table.RowCount),
            Metrics = new Dictionary<string, double>(), Signature = export.Signature,
            Artifacts = [new ModelArtifact(ModelRegistry.OnnxFileName, BinaryData.FromBytes(export.Model))],
        }).GetAwaiter().GetResult();
        catalog.Models.MoveAliasAsync(new AliasMove { Model = Model, Alias = "production", Version = version.Version, Actor = "bench", Reason = "bench" }).GetAwaiter().GetResult();

        _predictor = new OnnxPredictor(export.Model, export.Signature);
        _log = new PredictionLogWriter(catalog.Predictions);
        _service = new PredictionService(new ModelCache(catalog.Models), _log);

        var numeric = new[] { "precipitation", "temp_max", "temp_min", "wind" };
        var rows = Enumerable.Range(0, Rows).Select(r => numeric.ToDictionary(c => c, c => ((NumericColumn)table[c]).Values[r % table.RowCount])).ToList();
        _body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { instances = rows }));
        _rows = _parser.Parse(_body).Rows!;
        _service.PredictAsync(Model, "production", _body).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// prediction log: accepted {_log.Accepted}, written {_log.Written}, dropped {_log.Dropped}, failed {_log.Failed}");
        _predictor.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int OnnxPredictor_InProcess() => _predictor.Predict(_rows).Predictions.Count;

    [Benchmark]
    public int PredictionService_ParsePredictLog() => _service.PredictAsync(Model, "production", _body).GetAwaiter().GetResult().Predictions.Count;

    [Benchmark]
    public int Parser_Only() => _parser.Parse(_body).RowCount;
}
