using System.Globalization;
using Mlops.Catalog;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 6: exports the winner to ONNX with our exporter and checks it against ML.NET on the holdout (identical labels,
/// scores within 1e-4); a failed check fails the stage with the rows and differences.
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

        var model = await workspace.GetAsync(runId, RunWorkspace.Files.CandidateModel(input.CandidateId), ct).ConfigureAwait(false);
        var plan = await workspace.GetAsync(runId, RunWorkspace.Files.CandidatePlan(input.CandidateId), ct).ConfigureAwait(false);
        var table = await workspace.LoadTrainingSetAsync(runId, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(runId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);

        var export = OnnxExporter.Export(ModelBundle.FromParts(model.ToArray(), plan.ToString()), table.SelectRows(split.Holdout));
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Onnx, new BinaryData(export.Model), ct).ConfigureAwait(false);
        await workspace.PutOnceAsync(runId, RunWorkspace.Files.Signature, BinaryData.FromString(export.Signature.ToJson()), ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(runId, RunWorkspace.Files.Parity, export.Parity, ct).ConfigureAwait(false);
        return new ExportResult($"{RunWorkspace.Container}/{runId}/{RunWorkspace.Files.Onnx}", export.Parity.RowsCompared, export.Parity.MaxAbsDifference, export.Model.Length);
    }
}
