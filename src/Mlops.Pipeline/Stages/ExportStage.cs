using System.Globalization;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 6: refits the winning candidate on the whole training part, exports it with ML.NET's ONNX converter and checks
/// the export against ML.NET on the holdout (identical labels, scores within 1e-4; a failed check fails the stage with
/// the rows and differences). The refit model's holdout metrics, rows it never saw, are what the version reports.
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
        $"{output.Bytes} bytes, parity on {output.ParityRows} rows, max |diff| {output.MaxAbsDifference.ToString("0.###e0", CultureInfo.InvariantCulture)}";

    /// <inheritdoc />
    protected override async Task<ExportResult> ExecuteAsync(ExportInput input, CancellationToken ct)
    {
        var runId = input.Run.RunId;
        if (await workspace.FindJsonAsync<ParityReport>(runId, RunWorkspace.Files.Parity, ct).ConfigureAwait(false) is { } done)
        {
            var existing = await workspace.GetAsync(runId, RunWorkspace.Files.Onnx, ct).ConfigureAwait(false);
            return new ExportResult($"{RunWorkspace.Container}/{runId}/{RunWorkspace.Files.Onnx}", done.RowsCompared, done.MaxAbsDifference, existing.ToMemory().Length);
        }

        var spec = await SpecOfAsync(input.Run, ct).ConfigureAwait(false);
        var candidates = await workspace.GetJsonAsync<List<CandidateSpec>>(runId, RunWorkspace.Files.Candidates, ct).ConfigureAwait(false);
        var candidate = candidates.FirstOrDefault(c => c.Id == input.CandidateId)
                        ?? throw new MlopsException(ErrorCode.Internal, $"Run '{runId}' has no candidate '{input.CandidateId}'.");
        var table = await workspace.LoadTrainingSetAsync(runId, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(runId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);
        var holdout = table.SelectRows(split.Holdout);

        var fitted = CandidateTrainer.Fit(table.SelectRows(split.Train), spec, candidate);
        var export = OnnxExporter.Export(fitted.Model, holdout);
        var metrics = MetricCalculator.Compute(fitted.Model.Predict(holdout), holdout, spec.Target);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Model, new BinaryData(fitted.Model.MlNetModel), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Plan, BinaryData.FromString(fitted.Model.PlanJson), ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.HoldoutMetrics, metrics, ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Onnx, new BinaryData(export.Model), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Signature, BinaryData.FromString(export.Signature.ToJson()), ct).ConfigureAwait(false);
        await Catalog.Runs.LogMetricsAsync(runId, "holdout", metrics, ct).ConfigureAwait(false);
        // Written last: its presence means the export is done (a retry finds it above).
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.Parity, export.Parity, ct).ConfigureAwait(false);
        return new ExportResult($"{RunWorkspace.Container}/{runId}/{RunWorkspace.Files.Onnx}", export.Parity.RowsCompared, export.Parity.MaxAbsDifference, export.Model.Length);
    }
}
