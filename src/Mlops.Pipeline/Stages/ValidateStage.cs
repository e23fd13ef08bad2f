using System.Text;
using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Data;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 1: assembles the run's dataset versions into one training set and validates it against the spec version
/// the run uses (a spec may have changed since the data was accepted).
/// </summary>
public sealed class ValidateStage(CatalogServices catalog, TimeProvider time, DatasetIngestor ingestor, RunWorkspace workspace)
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
        using var assembled = await AssembleAsync(run, ct).ConfigureAwait(false);
        using var canonical = new MemoryStream();
        var result = await ingestor.IngestAsync(assembled, "data.csv", spec, previousSchema: null, canonical, ct).ConfigureAwait(false);
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
        return Summary(result.Report);
    }

    private static ValidatedData Summary(ValidationReport report) =>
        new((int)report.RowCount, report.ColumnCount, report.Failures.Where(f => f.Severity == RuleSeverity.Warning).Select(f => f.Message).ToList());

    /// <summary>Concatenates the canonical CSVs of the run's dataset versions (same header required).</summary>
    private async Task<MemoryStream> AssembleAsync(StageInput run, CancellationToken ct)
    {
        var output = new MemoryStream();
        string? header = null;
        foreach (var sha in run.DatasetVersions)
        {
            await using var download = await Catalog.Datasets.OpenDataAsync(run.Project, sha, ct).ConfigureAwait(false);
            using var reader = new StreamReader(download.Content, Encoding.UTF8);
            var first = await reader.ReadLineAsync(ct).ConfigureAwait(false) ?? "";
            if (header is null)
            {
                header = first;
                await output.WriteAsync(Encoding.UTF8.GetBytes(first + "\n"), ct).ConfigureAwait(false);
            }
            else if (first != header)
            {
                throw new MlopsException(ErrorCode.Rejected,
                    $"Dataset version {sha[..12]} has different columns from the run's first version; train on versions with the same columns, or pass datasetVersions explicitly.");
            }

            var rest = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            await output.WriteAsync(Encoding.UTF8.GetBytes(rest), ct).ConfigureAwait(false);
        }

        output.Position = 0;
        return output;
    }
}
