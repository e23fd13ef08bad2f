using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Catalog.Internal;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Storage;

namespace Mlops.Catalog.Datasets;

/// <summary>Whether a dataset upload was accepted as a version or put aside.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatasetStatus>))]
public enum DatasetStatus
{
    /// <summary>Passed validation; a numbered, immutable version under <c>datasets/</c>.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>Failed validation; kept under <c>quarantine/</c> with its <c>report.json</c>, never deleted.</summary>
    [JsonStringEnumMemberName("quarantined")] Quarantined,
}

/// <summary>A blob's address: container and path.</summary>
public sealed record BlobRef(string Container, string Path)
{
    /// <summary><c>container/path</c>.</summary>
    public override string ToString() => Container + "/" + Path;
}

/// <summary>Where an upload came from.</summary>
/// <param name="FileName">The uploaded file's name (e.g. the blob name under <c>incoming/{project}/</c>).</param>
/// <param name="UploadedAt">When it arrived.</param>
/// <param name="Channel">How it arrived: <c>blob</c> or <c>http</c>.</param>
public sealed record DatasetSource(string FileName, DateTimeOffset UploadedAt, string Channel = "blob");

/// <summary>An accepted dataset to store: content-addressed by <see cref="Sha256"/>.</summary>
public sealed record AcceptedDataset
{
    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>SHA-256 of the CSV bytes, 64 lower-case hex digits (see <see cref="DatasetCatalog.ComputeSha256Async"/>).</summary>
    public required string Sha256 { get; init; }

    /// <summary>Data rows (header excluded).</summary>
    public required long RowCount { get; init; }

    /// <summary>The inferred schema.</summary>
    public required DatasetSchema Schema { get; init; }

    /// <summary>The profile drift is measured against.</summary>
    public required DatasetProfile Profile { get; init; }

    /// <summary>Where it came from.</summary>
    public required DatasetSource Source { get; init; }
}

/// <summary>A rejected upload to put aside, with the validation report that says why.</summary>
public sealed record QuarantinedDataset
{
    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>SHA-256 of the uploaded bytes.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Where it came from.</summary>
    public required DatasetSource Source { get; init; }

    /// <summary>The validation report (any JSON object; stored as <c>report.json</c>).</summary>
    public required JsonElement Report { get; init; }

    /// <summary>One sentence for listings, e.g. the first broken rule.</summary>
    public required string Reason { get; init; }
}

/// <summary>A dataset catalog entry.</summary>
public sealed record DatasetVersion
{
    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>The content address.</summary>
    public required string Sha256 { get; init; }

    /// <summary>1, 2, ... per project for accepted versions (gapless, allocated with optimistic concurrency); 0 for quarantined uploads.</summary>
    public required int Version { get; init; }

    /// <summary>Accepted or quarantined.</summary>
    public required DatasetStatus Status { get; init; }

    /// <summary>Data rows; 0 when quarantined.</summary>
    public long RowCount { get; init; }

    /// <summary>The schema; null when quarantined.</summary>
    public DatasetSchema? Schema { get; init; }

    /// <summary>Where it came from.</summary>
    public required DatasetSource Source { get; init; }

    /// <summary>When the catalog recorded it.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The data: <c>datasets/{project}/{sha256}/data.csv</c> or <c>quarantine/{project}/{sha256}/{file}</c>.</summary>
    public required BlobRef Data { get; init; }

    /// <summary><c>datasets/{project}/{sha256}/profile.json</c>; null when quarantined.</summary>
    public BlobRef? Profile { get; init; }

    /// <summary><c>datasets/{project}/{sha256}/schema.json</c>; null when quarantined.</summary>
    public BlobRef? SchemaBlob { get; init; }

    /// <summary><c>quarantine/{project}/{sha256}/report.json</c>; null when accepted.</summary>
    public BlobRef? Report { get; init; }

    /// <summary>Why it was quarantined; null when accepted.</summary>
    public string? Reason { get; init; }

    /// <summary>True when this call stored it; false when the same content was already there (idempotent registration).</summary>
    [JsonIgnore]
    public bool Created { get; init; }
}

/// <summary>
/// The versioned, content-addressed dataset catalog. Blobs are written first (immutable, so a retry is harmless),
/// then the catalog row commits the version; registering the same SHA-256 twice returns the first record with
/// <see cref="DatasetVersion.Created"/> false. Nothing is ever deleted, rejected uploads included.
/// </summary>
public sealed class DatasetCatalog
{
    private readonly TableStore _tables;
    private readonly BlobStore _blobs;
    private readonly TimeProvider _time;

    /// <summary>Creates the catalog over the primitive stores.</summary>
    public DatasetCatalog(TableStore tables, BlobStore blobs, TimeProvider? time = null)
    {
        _tables = tables;
        _blobs = blobs;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>SHA-256 of a stream as 64 lower-case hex digits (reads to the end).</summary>
    public static async Task<string> ComputeSha256Async(Stream content, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Stores an accepted dataset: <c>data.csv</c>, <c>profile.json</c>, <c>schema.json</c> under
    /// <c>datasets/{project}/{sha256}/</c>, then its numbered catalog entry. Idempotent per (project, sha256).
    /// </summary>
    /// <param name="dataset">What to record.</param>
    /// <param name="csv">The exact bytes the SHA-256 was computed over.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    public async Task<DatasetVersion> StoreAcceptedAsync(AcceptedDataset dataset, Stream csv, CancellationToken cancellationToken = default)
    {
        var project = CatalogLayout.RequireName(dataset.Project, "project");
        var sha = CatalogLayout.RequireSha256(dataset.Sha256, "sha256");
        if (await FindAsync(project, sha, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return known;
        }

        var prefix = $"{project}/{sha}/";
        await _blobs.PutAsync(CatalogLayout.DatasetsContainer, prefix + "data.csv", csv, new BlobPutOptions { ContentType = "text/csv" }, cancellationToken).ConfigureAwait(false);
        await PutJsonAsync(CatalogLayout.DatasetsContainer, prefix + "profile.json", dataset.Profile, cancellationToken).ConfigureAwait(false);
        await PutJsonAsync(CatalogLayout.DatasetsContainer, prefix + "schema.json", dataset.Schema, cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        DatasetVersion Record(long n, bool created) => new()
        {
            Project = project,
            Sha256 = sha,
            Version = (int)n,
            Status = DatasetStatus.Accepted,
            RowCount = dataset.RowCount,
            Schema = dataset.Schema,
            Source = dataset.Source,
            RegisteredAt = now,
            Data = new(CatalogLayout.DatasetsContainer, prefix + "data.csv"),
            Profile = new(CatalogLayout.DatasetsContainer, prefix + "profile.json"),
            SchemaBlob = new(CatalogLayout.DatasetsContainer, prefix + "schema.json"),
            Created = created,
        };

        return await NumberAllocator.AllocateAsync(_tables, CatalogLayout.DatasetsTable, project,
            existing: (_, ct) => FindAsync(project, sha, ct),
            // The sha row makes registration idempotent; the version row (same record) lists newest first.
            rowsFor: n => [TableOperation.Insert(ToRow(project, ShaKey(sha), Record(n, true))), TableOperation.Insert(ToRow(project, VersionKey(n), Record(n, true)))],
            created: n => Record(n, true),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts a rejected upload aside: the bytes under <c>quarantine/{project}/{sha256}/{file}</c> and the report as
    /// <c>report.json</c> beside them, then a catalog entry with status quarantined. Idempotent per (project, sha256).
    /// </summary>
    public async Task<DatasetVersion> StoreQuarantinedAsync(QuarantinedDataset dataset, Stream content, CancellationToken cancellationToken = default)
    {
        var project = CatalogLayout.RequireName(dataset.Project, "project");
        var sha = CatalogLayout.RequireSha256(dataset.Sha256, "sha256");
        var fileName = SafeFileName(dataset.Source.FileName);
        var prefix = $"{project}/{sha}/";
        await _blobs.PutAsync(CatalogLayout.QuarantineContainer, prefix + fileName, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        await PutJsonAsync(CatalogLayout.QuarantineContainer, prefix + "report.json", dataset.Report, cancellationToken).ConfigureAwait(false);

        var record = new DatasetVersion
        {
            Project = project,
            Sha256 = sha,
            Version = 0,
            Status = DatasetStatus.Quarantined,
            Source = dataset.Source,
            RegisteredAt = _time.GetUtcNow(),
            Data = new(CatalogLayout.QuarantineContainer, prefix + fileName),
            Report = new(CatalogLayout.QuarantineContainer, prefix + "report.json"),
            Reason = dataset.Reason.Length > 1000 ? dataset.Reason[..1000] : dataset.Reason,
            Created = true,
        };
        var insert = await _tables.InsertIfAbsentAsync(CatalogLayout.DatasetsTable, ToRow(project, QuarantineKey(sha), record), cancellationToken).ConfigureAwait(false);
        if (insert.Succeeded)
        {
            return record;
        }

        var existing = await _tables.GetAsync(CatalogLayout.DatasetsTable, project, QuarantineKey(sha), cancellationToken).ConfigureAwait(false);
        return FromRow(existing ?? throw new MlopsException(ErrorCode.Internal, $"Quarantine entry '{project}/{sha}' vanished."), created: false);
    }

    /// <summary>The accepted version with this content, or null (quarantined uploads: see <see cref="FindQuarantinedAsync"/>).</summary>
    public async Task<DatasetVersion?> FindAsync(string project, string sha256, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        CatalogLayout.RequireSha256(sha256, "sha256");
        var row = await _tables.GetAsync(CatalogLayout.DatasetsTable, project, ShaKey(sha256), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row, created: false);
    }

    /// <summary>The accepted version with this content; 404 when there is none.</summary>
    public async Task<DatasetVersion> GetAsync(string project, string sha256, CancellationToken cancellationToken = default) =>
        await FindAsync(project, sha256, cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound($"Project '{project}' has no dataset version with sha256 '{sha256}'.");

    /// <summary>The quarantine entry for this content, or null.</summary>
    public async Task<DatasetVersion?> FindQuarantinedAsync(string project, string sha256, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        CatalogLayout.RequireSha256(sha256, "sha256");
        var row = await _tables.GetAsync(CatalogLayout.DatasetsTable, project, QuarantineKey(sha256), cancellationToken).ConfigureAwait(false);
        return row is null ? null : FromRow(row, created: false);
    }

    /// <summary>The newest accepted version, or null when the project has none.</summary>
    public async Task<DatasetVersion?> FindLatestAsync(string project, CancellationToken cancellationToken = default)
    {
        await foreach (var version in ListAsync(project, cancellationToken).ConfigureAwait(false))
        {
            return version;
        }

        return null;
    }

    /// <summary>Accepted versions, newest first, page by page.</summary>
    public async IAsyncEnumerable<DatasetVersion> ListAsync(string project, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        await foreach (var row in _tables.QueryAsync(CatalogLayout.DatasetsTable, project, RowKeyRange.Prefix("v|"), cancellationToken).ConfigureAwait(false))
        {
            yield return FromRow(row, created: false);
        }
    }

    /// <summary>Quarantined uploads, newest first.</summary>
    public async Task<IReadOnlyList<DatasetVersion>> ListQuarantinedAsync(string project, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        var rows = await _tables.QueryAsync(CatalogLayout.DatasetsTable, project, RowKeyRange.Prefix("q|"), cancellationToken)
            .Select(r => FromRow(r, created: false)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.OrderByDescending(r => r.RegisteredAt).ToList();
    }

    /// <summary>The profile of an accepted version; 404 when missing.</summary>
    public async Task<DatasetProfile> GetProfileAsync(string project, string sha256, CancellationToken cancellationToken = default)
    {
        var version = await GetAsync(project, sha256, cancellationToken).ConfigureAwait(false);
        var data = await _blobs.ReadAllAsync(version.Profile!.Container, version.Profile.Path, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Profile '{version.Profile}' is missing.");
        return data.ToObjectFromJson<DatasetProfile>(CatalogJson.Options)!;
    }

    /// <summary>The validation report of a quarantined upload; 404 when there is no such upload.</summary>
    public async Task<JsonElement> GetQuarantineReportAsync(string project, string sha256, CancellationToken cancellationToken = default)
    {
        var entry = await FindQuarantinedAsync(project, sha256, cancellationToken).ConfigureAwait(false)
                    ?? throw MlopsException.NotFound($"Project '{project}' has no quarantined upload with sha256 '{sha256}'.");
        var data = await _blobs.ReadAllAsync(entry.Report!.Container, entry.Report.Path, cancellationToken).ConfigureAwait(false)
                   ?? throw MlopsException.NotFound($"Report '{entry.Report}' is missing.");
        return data.ToObjectFromJson<JsonElement>();
    }

    /// <summary>
    /// The dataset versions a retraining of <paramref name="project"/> uses: every accepted version, oldest first, that
    /// shares the newest one's columns (the training set concatenates them). <see cref="TrainingSelection.LeftOut"/>
    /// counts the older versions with other columns.
    /// </summary>
    /// <exception cref="MlopsException">The project has no accepted dataset.</exception>
    public async Task<TrainingSelection> SelectTrainingSetAsync(string project, CancellationToken cancellationToken = default)
    {
        var newestFirst = new List<DatasetVersion>();
        await foreach (var version in ListAsync(project, cancellationToken).ConfigureAwait(false))
        {
            newestFirst.Add(version);
        }

        if (newestFirst.Count == 0)
        {
            throw MlopsException.NotFound($"Project '{project}' has no accepted dataset to retrain on.");
        }

        var header = HeaderOf(newestFirst[0]);
        var same = newestFirst.Where(d => HeaderOf(d) == header).Reverse().Select(d => d.Sha256).ToList();
        return new TrainingSelection(same, newestFirst.Count - same.Count);
    }

    /// <summary>
    /// Writes the training set of <paramref name="versions"/> to <paramref name="destination"/>: their canonical CSVs
    /// concatenated under one header, streamed version by version.
    /// </summary>
    /// <exception cref="MlopsException">A version's columns differ from the first one's (<see cref="ErrorCode.Rejected"/>).</exception>
    public async Task WriteTrainingSetAsync(string project, IReadOnlyList<string> versions, Stream destination, CancellationToken cancellationToken = default)
    {
        string? header = null;
        foreach (var sha in versions)
        {
            await using var download = await OpenDataAsync(project, sha, cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(download.Content, System.Text.Encoding.UTF8);
            var first = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? "";
            if (header is null)
            {
                header = first;
                await destination.WriteAsync(System.Text.Encoding.UTF8.GetBytes(first + "\n"), cancellationToken).ConfigureAwait(false);
            }
            else if (first != header)
            {
                throw new MlopsException(ErrorCode.Rejected,
                    $"Dataset version {sha[..12]} has different columns from the run's first version; train on versions with the same columns, or pass datasetVersions explicitly.");
            }

            await using var writer = new StreamWriter(destination, new System.Text.UTF8Encoding(false), 81920, leaveOpen: true);
            var buffer = new char[81920];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string HeaderOf(DatasetVersion dataset) => string.Join('\u001f', dataset.Schema?.Columns.Select(c => c.Name) ?? []);

    /// <summary>Opens the CSV of an accepted version (dispose the result); 404 when missing.</summary>
    public async Task<BlobDownload> OpenDataAsync(string project, string sha256, CancellationToken cancellationToken = default)
    {
        var version = await GetAsync(project, sha256, cancellationToken).ConfigureAwait(false);
        return await _blobs.GetAsync(version.Data.Container, version.Data.Path, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Dataset blob '{version.Data}' is missing.");
    }

    private Task<BlobWriteResult> PutJsonAsync<T>(string container, string path, T value, CancellationToken cancellationToken) =>
        _blobs.PutAsync(container, path, BinaryData.FromObjectAsJson(value, CatalogJson.Options), new BlobPutOptions { ContentType = "application/json" }, cancellationToken);

    private static string ShaKey(string sha) => "sha|" + sha;

    private static string QuarantineKey(string sha) => "q|" + sha;

    private static string VersionKey(long n) => "v|" + CatalogLayout.Descending(n);

    private static string SafeFileName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray()).Trim('.');
        return safe.Length == 0 || safe == "report.json" ? "upload.bin" : safe[..Math.Min(safe.Length, 200)];
    }

    private static TableRow ToRow(string project, string rowKey, DatasetVersion record)
    {
        var row = new TableRow(project, rowKey)
            .Set("Sha256", record.Sha256)
            .Set("Version", record.Version)
            .Set("Status", record.Status.ToString())
            .Set("RowCount", record.RowCount)
            .Set("RegisteredAt", record.RegisteredAt);
        JsonColumn.Write(row, "Record", record);
        return row;
    }

    private static DatasetVersion FromRow(TableRow row, bool created) =>
        JsonColumn.Read<DatasetVersion>(row, "Record")! with { Created = created };
}

/// <summary>The dataset versions a retraining uses.</summary>
/// <param name="Versions">sha256 of the versions, oldest first.</param>
/// <param name="LeftOut">Older versions left out because their columns differ from the newest one's.</param>
public sealed record TrainingSelection(IReadOnlyList<string> Versions, int LeftOut);
