using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mlops.Catalog.Internal;
using Mlops.Core.Errors;
using Mlops.Storage;

namespace Mlops.Catalog.Registry;

/// <summary>
/// The model registry. Versions are numbered 1, 2, ... without gaps by a counter row advanced with optimistic
/// concurrency, in the same atomic batch that writes the version row and a run-id row, so one run registers at most one
/// version however often (or concurrently) it retries. Artifacts live under <c>models/{model}/{version}/</c>, written
/// immutably; a version is <see cref="ModelVersion.Ready"/> once they all are. Aliases move with ETags, so two
/// concurrent promotions cannot both win, and every move is written to the audit log in the same batch.
/// </summary>
public sealed partial class ModelRegistry
{
    /// <summary>The alias serving uses by default.</summary>
    public const string ProductionAlias = "production";

    /// <summary>The file every version must have.</summary>
    public const string OnnxFileName = "model.onnx";

    private static readonly string[] GeneratedFiles = ["model-card.json", "signature.json", "metrics.json"];

    private readonly TableStore _tables;
    private readonly BlobStore _blobs;
    private readonly TimeProvider _time;

    /// <summary>Creates the registry over the primitive stores.</summary>
    public ModelRegistry(TableStore tables, BlobStore blobs, TimeProvider? time = null)
    {
        _tables = tables;
        _blobs = blobs;
        _time = time ?? TimeProvider.System;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNameRegex();

    /// <summary>
    /// Registers the run's model as a new version, or returns the version the run already registered
    /// (<see cref="ModelVersion.Created"/> false). Writes the artifacts and <c>model-card.json</c>,
    /// <c>signature.json</c>, <c>metrics.json</c> under <c>models/{model}/{version}/</c>; a retry after a crash
    /// finishes what the first call began.
    /// </summary>
    public async Task<ModelVersion> RegisterVersionAsync(ModelRegistration registration, CancellationToken cancellationToken = default)
    {
        var model = CatalogLayout.RequireName(registration.Model, "model");
        var runId = CatalogLayout.RequireId(registration.RunId, "runId");
        CatalogLayout.RequireSha256(registration.Data.DatasetSha256, "data.datasetSha256");
        ValidateArtifacts(registration.Artifacts);
        var now = _time.GetUtcNow();

        ModelCard CardFor(long n) => new()
        {
            Model = model,
            Version = (int)n,
            RunId = runId,
            Project = registration.Project,
            CreatedAt = now,
            Task = registration.Task,
            Trainer = registration.Trainer,
            Metric = registration.Metric,
            Data = registration.Data,
            Metrics = registration.Metrics,
            Params = registration.Params,
            Signature = registration.Signature,
            Parity = registration.Parity,
            Files = [.. registration.Artifacts.Select(a => a.FileName), .. GeneratedFiles],
        };

        var version = await NumberAllocator.AllocateAsync(_tables, CatalogLayout.ModelsTable, model,
            existing: (_, ct) => FindByRunAsync(model, runId, ct),
            rowsFor: n =>
            {
                var row = new TableRow(model, VersionKey(n)).Set("Version", (int)n).Set("RunId", runId).Set("CreatedAt", now).Set("Ready", false);
                JsonColumn.Write(row, "Card", CardFor(n));
                return [TableOperation.Insert(row), TableOperation.Insert(new TableRow(model, RunKey(runId)).Set("Version", (int)n))];
            },
            created: n => new ModelVersion(model, (int)n, runId, now, Ready: false, CardFor(n), Created: true),
            cancellationToken).ConfigureAwait(false);

        if (version.Ready)
        {
            return version;
        }

        // Immutable writes: a retry that reaches here again leaves what the first attempt wrote.
        foreach (var artifact in registration.Artifacts)
        {
            await _blobs.PutAsync(CatalogLayout.ModelsContainer, version.ArtifactPrefix + artifact.FileName, artifact.Content,
                new BlobPutOptions { ContentType = artifact.ContentType ?? "application/octet-stream" }, cancellationToken).ConfigureAwait(false);
        }

        var card = version.Card;
        await PutJsonAsync(version.ArtifactPrefix + "model-card.json", card, cancellationToken).ConfigureAwait(false);
        await PutJsonAsync(version.ArtifactPrefix + "signature.json", card.Signature, cancellationToken).ConfigureAwait(false);
        await PutJsonAsync(version.ArtifactPrefix + "metrics.json", card.Metrics, cancellationToken).ConfigureAwait(false);
        await _tables.UpsertAsync(CatalogLayout.ModelsTable, new TableRow(model, VersionKey(version.Version)).Set("Ready", true), UpsertMode.Merge, cancellationToken).ConfigureAwait(false);
        return version with { Ready = true };
    }

    /// <summary>The version a run registered, or null.</summary>
    public async Task<ModelVersion?> FindByRunAsync(string model, string runId, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        CatalogLayout.RequireId(runId, "runId");
        var link = await _tables.GetAsync(CatalogLayout.ModelsTable, model, RunKey(runId), cancellationToken).ConfigureAwait(false);
        return link?.GetInt32("Version") is { } version ? await FindVersionAsync(model, version, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>A version, or null.</summary>
    public async Task<ModelVersion?> FindVersionAsync(string model, int version, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        if (version < 1)
        {
            return null;
        }

        var row = await _tables.GetAsync(CatalogLayout.ModelsTable, model, VersionKey(version), cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToVersion(row);
    }

    /// <summary>A version; 404 when it does not exist.</summary>
    public async Task<ModelVersion> GetVersionAsync(string model, int version, CancellationToken cancellationToken = default) =>
        await FindVersionAsync(model, version, cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound($"Model '{model}' has no version {version}.");

    /// <summary>Where an alias points, or null when it is not set.</summary>
    public async Task<AliasState?> FindAliasAsync(string model, string alias, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        CatalogLayout.RequireName(alias, "alias");
        var row = await _tables.GetAsync(CatalogLayout.ModelsTable, model, AliasKey(alias), cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToAlias(row);
    }

    /// <summary>The model's versions (newest first, with cards) and aliases; 404 when it has no version.</summary>
    public async Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default) =>
        await FindModelAsync(model, cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound($"Model '{model}' does not exist.");

    /// <summary>The model's versions (newest first) and aliases, or null while it has no version (its first run has not registered one).</summary>
    public async Task<ModelDescription?> FindModelAsync(string model, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        var versions = new List<ModelVersion>();
        var aliases = new Dictionary<string, AliasState>(StringComparer.Ordinal);
        await foreach (var row in _tables.QueryAsync(CatalogLayout.ModelsTable, model, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey.StartsWith("v|", StringComparison.Ordinal))
            {
                versions.Add(ToVersion(row));
            }
            else if (row.RowKey.StartsWith("alias|", StringComparison.Ordinal))
            {
                var alias = ToAlias(row);
                aliases[alias.Alias] = alias;
            }
        }

        if (versions.Count == 0)
        {
            return null;
        }

        versions.Reverse();
        return new ModelDescription(model, versions, aliases);
    }

    /// <summary>
    /// Points an alias at a version, only if the expectations hold (ETag and/or current version) and nobody moves it
    /// concurrently; otherwise 409 Conflict and nothing changes. The move and its audit entry are written atomically.
    /// Moving an alias to where it already points changes nothing and writes no audit entry.
    /// </summary>
    public async Task<AliasMoveResult> MoveAliasAsync(AliasMove move, CancellationToken cancellationToken = default)
    {
        var model = CatalogLayout.RequireName(move.Model, "model");
        var alias = CatalogLayout.RequireName(move.Alias, "alias");
        if (string.IsNullOrWhiteSpace(move.Actor))
        {
            throw MlopsException.Invalid("actor", "required", "'actor' must say who moves the alias.");
        }

        if (move.RunId is not null)
        {
            CatalogLayout.RequireId(move.RunId, "runId");
        }

        var target = await FindVersionAsync(model, move.Version, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Model '{model}' has no version {move.Version}.");
        if (!target.Ready)
        {
            throw new MlopsException(ErrorCode.Conflict, $"Version {move.Version} of model '{model}' is still being registered (artifacts incomplete); it cannot be aliased yet.");
        }

        var currentRow = await _tables.GetAsync(CatalogLayout.ModelsTable, model, AliasKey(alias), cancellationToken).ConfigureAwait(false);
        var current = currentRow is null ? null : ToAlias(currentRow);
        if (current?.Version == move.Version)
        {
            return new AliasMoveResult(current, Changed: false, current.Version, Audit: null);
        }

        if (move.ExpectedETag is not null && current?.ETag != move.ExpectedETag)
        {
            throw Moved(model, alias, current);
        }

        if (move.ExpectedVersion is { } expected && (current?.Version ?? 0) != expected)
        {
            throw Moved(model, alias, current);
        }

        var now = _time.GetUtcNow();
        var audit = new AuditEntry(Guid.NewGuid().ToString("N"), model, alias, current?.Version, move.Version, Limit(move.Actor, 200), Limit(move.Reason, 2000), now, move.RunId, move.DriftReportId);
        var aliasRow = new TableRow(model, AliasKey(alias)).Set("Alias", alias).Set("Version", move.Version).Set("UpdatedAt", now).Set("UpdatedBy", audit.Actor);
        var auditRow = new TableRow(model, "audit|" + CatalogLayout.DescendingTime(now) + "|" + audit.EventId);
        JsonColumn.Write(auditRow, "Entry", audit);

        var result = await _tables.SubmitBatchAsync(CatalogLayout.ModelsTable,
        [
            currentRow is null ? TableOperation.Insert(aliasRow) : TableOperation.Replace(aliasRow, currentRow.ETag),
            TableOperation.Insert(auditRow),
        ], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Moved(model, alias, await FindAliasAsync(model, alias, cancellationToken).ConfigureAwait(false));
        }

        return new AliasMoveResult(new AliasState(model, alias, move.Version, result.ETags[0]!, now, audit.Actor), Changed: true, current?.Version, audit);
    }

    /// <summary>Every alias move of a model, newest first.</summary>
    public async IAsyncEnumerable<AuditEntry> ListAuditAsync(string model, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        await foreach (var row in _tables.QueryAsync(CatalogLayout.ModelsTable, model, RowKeyRange.Prefix("audit|"), cancellationToken).ConfigureAwait(false))
        {
            yield return JsonColumn.Read<AuditEntry>(row, "Entry")!;
        }
    }

    /// <summary>Opens an artifact of a version (dispose it); 404 when the version or file does not exist.</summary>
    public async Task<BlobDownload> OpenArtifactAsync(string model, int version, string fileName, CancellationToken cancellationToken = default)
    {
        var v = await GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false);
        if (!FileNameRegex().IsMatch(fileName))
        {
            throw MlopsException.Invalid("fileName", "pattern", "'fileName' must be a plain file name.");
        }

        return await _blobs.GetAsync(CatalogLayout.ModelsContainer, v.ArtifactPrefix + fileName, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Model '{model}' version {version} has no file '{fileName}'.");
    }

    /// <summary>The bytes of an artifact (e.g. <c>model.onnx</c>); 404 when missing.</summary>
    public async Task<BinaryData> ReadArtifactAsync(string model, int version, string fileName, CancellationToken cancellationToken = default)
    {
        await using var download = await OpenArtifactAsync(model, version, fileName, cancellationToken).ConfigureAwait(false);
        return await BinaryData.FromStreamAsync(download.Content, cancellationToken).ConfigureAwait(false);
    }

    private static MlopsException Moved(string model, string alias, AliasState? current) =>
        new(ErrorCode.Conflict, current is null
            ? $"Alias '{alias}' of model '{model}' changed concurrently or does not match the expectation; re-read it and retry."
            : $"Alias '{alias}' of model '{model}' now points to version {current.Version} (ETag {current.ETag}), not what was expected; re-read it and retry.");

    private static void ValidateArtifacts(IReadOnlyList<ModelArtifact> artifacts)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < artifacts.Count; i++)
        {
            var name = artifacts[i].FileName;
            if (name is null || !FileNameRegex().IsMatch(name))
            {
                throw MlopsException.Invalid($"artifacts[{i}].fileName", "pattern", "An artifact file name must be 1-100 letters, digits, '.', '_' or '-'.");
            }

            if (GeneratedFiles.Contains(name, StringComparer.OrdinalIgnoreCase) || !names.Add(name))
            {
                throw MlopsException.Invalid($"artifacts[{i}].fileName", "unique", $"'{name}' is a duplicate or a file the registry writes itself ({string.Join(", ", GeneratedFiles)}).");
            }
        }

        if (!names.Contains(OnnxFileName))
        {
            throw MlopsException.Invalid("artifacts", "required", $"A model version needs a '{OnnxFileName}' artifact.");
        }
    }

    private Task<BlobWriteResult> PutJsonAsync<T>(string path, T value, CancellationToken cancellationToken) =>
        _blobs.PutAsync(CatalogLayout.ModelsContainer, path, BinaryData.FromObjectAsJson(value, CatalogJson.Options), new BlobPutOptions { ContentType = "application/json" }, cancellationToken);

    private static string VersionKey(long version) => "v|" + CatalogLayout.Ascending(version);

    private static string RunKey(string runId) => "run|" + runId;

    private static string AliasKey(string alias) => "alias|" + alias;

    private static string Limit(string text, int max) => text.Length <= max ? text : text[..max];

    private static ModelVersion ToVersion(TableRow row) =>
        new(row.PartitionKey, row.GetInt32("Version")!.Value, row.GetString("RunId")!, row.GetDateTimeOffset("CreatedAt")!.Value,
            row.GetBoolean("Ready") ?? false, JsonColumn.Read<ModelCard>(row, "Card")!, Created: false);

    private static AliasState ToAlias(TableRow row) =>
        new(row.PartitionKey, row.GetString("Alias")!, row.GetInt32("Version")!.Value, row.ETag!, row.GetDateTimeOffset("UpdatedAt")!.Value, row.GetString("UpdatedBy")!);
}
