using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Data;

namespace Mlops.Pipeline.Ingestion;

/// <summary>What became of an upload.</summary>
/// <param name="Dataset">The stored version (accepted) or the quarantine entry (rejected).</param>
/// <param name="Report">The validation report.</param>
/// <param name="Created">False when the same bytes were already stored (an identical upload).</param>
public sealed record IntakeResult(DatasetVersion Dataset, ValidationReport Report, bool Created)
{
    /// <summary>True when the data passed validation and is a dataset version.</summary>
    public bool Accepted => Report.Verdict == Verdict.Accepted;
}

/// <summary>
/// The one ingestion path, for blob uploads to <c>incoming/{project}/{file}</c> and for <c>POST .../datasets</c>:
/// validate against the project spec and the previous version's schema, version the canonical bytes by sha256
/// (immutable, so an identical upload is the existing version), profile them; a rejected upload goes to quarantine with
/// its report. Nothing already stored is changed or deleted.
/// </summary>
public sealed class DatasetIntake(CatalogServices catalog, DatasetIngestor ingestor, TimeProvider time)
{
    /// <summary>
    /// Ingests <paramref name="content"/> for <paramref name="project"/>; the project must exist. The content is read once
    /// as it arrives; a stream that cannot seek (a request body, a blob download) is spooled to a temporary file so a
    /// rejected upload can be kept whole in quarantine, and the canonical CSV is written to a temporary file too: memory
    /// stays bounded whatever the upload's size.
    /// </summary>
    public async Task<IntakeResult> IngestAsync(string project, string fileName, string channel, Stream content, CancellationToken ct)
    {
        ResourceName.Require(project, "project");
        var spec = await catalog.Projects.FindAsync(project, cancellationToken: ct).ConfigureAwait(false)
                   ?? throw MlopsException.NotFound($"Project '{project}' does not exist: create it with PUT /api/projects/{project} (body: its spec), then upload again.");
        var previous = await catalog.Datasets.FindLatestAsync(project, ct).ConfigureAwait(false);
        var source = new DatasetSource(Path.GetFileName(fileName), time.GetUtcNow(), channel);

        await using var upload = await SeekableAsync(content, ct).ConfigureAwait(false);
        await using var canonical = TemporaryFile();
        var result = await ingestor.IngestAsync(upload, fileName, spec.Spec, previous?.Schema, canonical, ct).ConfigureAwait(false);
        if (result.IsAccepted)
        {
            canonical.Position = 0;
            var stored = await catalog.Datasets.StoreAcceptedAsync(new AcceptedDataset
            {
                Project = project,
                Sha256 = result.Sha256!,
                RowCount = result.RowCount,
                Schema = result.Schema!,
                Profile = result.Profile!,
                Source = source,
            }, canonical, ct).ConfigureAwait(false);
            return new IntakeResult(stored, result.Report, stored.Created);
        }

        upload.Position = 0;
        var sha = await DatasetCatalog.ComputeSha256Async(upload, ct).ConfigureAwait(false);
        upload.Position = 0;
        var errors = result.Report.Failures.Where(f => f.Severity == RuleSeverity.Error).ToList();
        var quarantined = await catalog.Datasets.StoreQuarantinedAsync(new QuarantinedDataset
        {
            Project = project,
            Sha256 = sha,
            Source = source,
            Report = JsonSerializer.SerializeToElement(result.Report, CatalogJson.Options),
            Reason = string.Join("; ", errors.Take(3).Select(e => e.Message)) + (errors.Count > 3 ? $" (+{errors.Count - 3} more)" : ""),
        }, upload, ct).ConfigureAwait(false);
        return new IntakeResult(quarantined, result.Report, quarantined.Created);
    }

    /// <summary>The content itself when it can seek (the caller keeps ownership), else a temporary copy of it.</summary>
    private static async Task<Stream> SeekableAsync(Stream content, CancellationToken ct)
    {
        if (content.CanSeek)
        {
            return new NonClosingStream(content);
        }

        var copy = TemporaryFile();
        await content.CopyToAsync(copy, ct).ConfigureAwait(false);
        copy.Position = 0;
        return copy;
    }

    private static FileStream TemporaryFile() =>
        new(Path.Combine(Path.GetTempPath(), "mlops-intake-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            bufferSize: 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
}
