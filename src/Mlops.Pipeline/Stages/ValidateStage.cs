using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Data;
using Mlops.Features.Join;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 1: assembles the run's dataset versions into one training set and validates it against the spec version
/// the run uses (a spec may have changed since the data was accepted).
/// </summary>
public sealed class ValidateStage(CatalogServices catalog, TimeProvider time, DatasetIngestor ingestor, RunWorkspace workspace, TrainingSetJoiner features)
    : StageActivity<StageInput, ValidatedData>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "ValidateData";

    /// <inheritdoc />
    protected override string StageName(StageInput input) => "validate";

    /// <inheritdoc />
    protected override StageInput RunOf(StageInput input) => input;

    /// <inheritdoc />
    protected override string Describe(ValidatedData output) => $"{output.Rows} rows, {output.Columns} columns";

    /// <inheritdoc />
    protected override async Task<ValidatedData> ExecuteAsync(StageInput run, CancellationToken ct)
    {
        await Catalog.Runs.SetStatusAsync(run.RunId, RunStatus.Running, cancellationToken: ct).ConfigureAwait(false);
        if (await workspace.FindJsonAsync<ValidationReport>(run.RunId, RunWorkspace.Files.Validation, ct).ConfigureAwait(false) is { } done)
        {
            return Summary(done);
        }

        var spec = await SpecOfAsync(run, ct).ConfigureAwait(false);
        using var assembled = new MemoryStream();
        await Catalog.Datasets.WriteTrainingSetAsync(run.Project, run.DatasetVersions, assembled, ct).ConfigureAwait(false);
        assembled.Position = 0;
        // Feature views the spec names join here, as of each row's own timestamp: later stages see just more columns.
        using var joined = spec.FeatureViews is { Count: > 0 } ? new MemoryStream() : null;
        IReadOnlyList<JoinedView> lineage = joined is null ? [] : await features.JoinCsvAsync(assembled, joined, spec.FeatureViews!, ct).ConfigureAwait(false);
        var trainingSet = joined ?? assembled;
        trainingSet.Position = 0;
        using var canonical = new MemoryStream();
        var result = await ingestor.IngestAsync(trainingSet, "data.csv", spec, previousSchema: null, canonical, ct).ConfigureAwait(false);
        if (!result.IsAccepted)
        {
            throw new MlopsException(ErrorCode.Rejected,
                $"The training set of run '{run.RunId}' breaks spec v{run.SpecVersion}: " +
                string.Join("; ", result.Report.Failures.Where(f => f.Severity == RuleSeverity.Error).Select(f => f.Message)),
                result.Report.ToViolations());
        }

        await workspace.PutOnceAsync(run.RunId, RunWorkspace.Files.TrainingSet, new BinaryData(canonical.ToArray()), ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(run.RunId, RunWorkspace.Files.Schema, result.Schema!, ct).ConfigureAwait(false);
        // Written last: its presence means the stage finished.
        await workspace.PutJsonOnceAsync(run.RunId, RunWorkspace.Files.Validation, result.Report, ct).ConfigureAwait(false);
        await Catalog.Runs.LogParamsAsync(run.RunId, "data", new Dictionary<string, string>
        {
            ["datasetVersions"] = string.Join(",", run.DatasetVersions.Select(s => s[..12])),
            ["rows"] = result.RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trainingSetSha256"] = result.Sha256!,
        }, ct).ConfigureAwait(false);
        if (lineage.Count > 0)
        {
            await Catalog.Runs.LogParamsAsync(run.RunId, "features", lineage.ToDictionary(v => "featureView." + v.View, v =>
                $"v{v.Version}; materialization {v.MaterializationId[..12]}; manifest {v.Manifest}; columns {string.Join(",", v.Columns)}; " +
                $"kept from data {string.Join(",", v.KeptFromData)}; rows matched {v.Matched}"), ct).ConfigureAwait(false);
        }

        return Summary(result.Report);
    }

    private static ValidatedData Summary(ValidationReport report) =>
        new((int)report.RowCount, report.ColumnCount, report.Failures.Where(f => f.Severity == RuleSeverity.Warning).Select(f => f.Message).ToList());
}
