using System.Globalization;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 6: refits the winning candidate on the whole training part, exports it with ML.NET's ONNX converter and checks
/// the export against ML.NET on the holdout (identical labels, scores within 1e-4). If the winner's export fails the
/// check, the next candidates in the ranking are tried (<see cref="WinnerExport"/>) and the skipped ones recorded in
/// <c>exported.json</c>; if all fail, the stage fails with the rows and differences. The refit model's holdout metrics,
/// on rows it never saw, are what the version reports.
/// </summary>
public sealed class ExportStage(CatalogServices catalog, TimeProvider time, RunWorkspace workspace)
    : StageActivity<ExportInput, ExportResult>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "ExportOnnx";

    /// <inheritdoc />
    protected override string StageName(ExportInput input) => "export";

    /// <inheritdoc />
    protected override StageInput RunOf(ExportInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(ExportResult output) =>
        $"{output.Bytes} bytes, parity on {output.ParityRows} rows, max |diff| {output.MaxAbsDifference.ToString("0.###e0", CultureInfo.InvariantCulture)}" +
        (output.CandidateId is { } id ? $", exported {id}" : "");

    /// <inheritdoc />
    protected override async Task<ExportResult> ExecuteAsync(ExportInput input, CancellationToken ct)
    {
        var runId = input.Run.RunId;
        if (await workspace.FindJsonAsync<ParityReport>(runId, RunWorkspace.Files.Parity, ct).ConfigureAwait(false) is { } done)
        {
            var existing = await workspace.GetAsync(runId, RunWorkspace.Files.Onnx, ct).ConfigureAwait(false);
            var exported = await workspace.FindJsonAsync<ExportedCandidate>(runId, RunWorkspace.Files.Exported, ct).ConfigureAwait(false);
            return new ExportResult($"{RunWorkspace.Container}/{runId}/{RunWorkspace.Files.Onnx}", done.RowsCompared, done.MaxAbsDifference, existing.ToMemory().Length, exported?.CandidateId);
        }

        var spec = await SpecOfAsync(input.Run, ct).ConfigureAwait(false);
        var candidates = await workspace.GetJsonAsync<List<CandidateSpec>>(runId, RunWorkspace.Files.Candidates, ct).ConfigureAwait(false);
        if (candidates.All(c => c.Id != input.CandidateId))
        {
            throw new MlopsException(ErrorCode.Internal, $"Run '{runId}' has no candidate '{input.CandidateId}'.");
        }

        // The evaluate stage's ranking, rebuilt from the candidates' results: the winner first, then the runners-up.
        var scores = new List<CandidateScore>();
        foreach (var c in candidates)
        {
            if (await workspace.FindJsonAsync<CandidateOutcome>(runId, RunWorkspace.Files.CandidateResult(c.Id), ct).ConfigureAwait(false) is { } outcome)
            {
                scores.Add(new CandidateScore(c, outcome.Metrics, [], outcome.TrainSeconds));
            }
        }

        var ranked = WinnerExport.Rank(scores, spec.Metric).Select(s => s.Candidate).Where(c => c.Id != input.CandidateId).ToList();
        ranked.Insert(0, candidates.First(c => c.Id == input.CandidateId));
        var table = await workspace.LoadTrainingSetAsync(runId, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(runId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);
        var holdout = table.SelectRows(split.Holdout);

        var winner = WinnerExport.FitAndExport(table.SelectRows(split.Train), holdout, spec, ranked);
        var (fitted, export) = (winner.Fitted, winner.Export);
        var metrics = MetricCalculator.Compute(fitted.Model.Predict(holdout), holdout, spec.Target);
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.Exported, new ExportedCandidate(fitted.Candidate.Id, winner.Skipped), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Model, new BinaryData(fitted.Model.MlNetModel), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Plan, BinaryData.FromString(fitted.Model.PlanJson), ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.HoldoutMetrics, metrics, ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Onnx, new BinaryData(export.Model), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Signature, BinaryData.FromString(export.Signature.ToJson()), ct).ConfigureAwait(false);
        await Catalog.Runs.LogMetricsAsync(runId, "holdout", metrics, ct).ConfigureAwait(false);
        // Written last: its presence means the export is done (a retry finds it above).
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.Parity, export.Parity, ct).ConfigureAwait(false);
        return new ExportResult($"{RunWorkspace.Container}/{runId}/{RunWorkspace.Files.Onnx}", export.Parity.RowsCompared, export.Parity.MaxAbsDifference, export.Model.Length, fitted.Candidate.Id);
    }
}
