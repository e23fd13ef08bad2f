using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mlops.Catalog.Internal;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Features.Definitions;
using Mlops.Features.Offline;
using Mlops.Storage;

namespace Mlops.Features;

/// <summary>One stored version of a feature view.</summary>
/// <param name="View">The view's name (global: online keys and lookups use it alone).</param>
/// <param name="Project">The project that declared it.</param>
/// <param name="Version">1, 2, ...: every change of the definition is a new version.</param>
/// <param name="Spec">The validated definition.</param>
/// <param name="CreatedAt">When this version was stored.</param>
/// <param name="Created">True when this call stored it; false when the same definition was already the latest.</param>
public sealed record FeatureViewVersion(string View, string Project, int Version, FeatureViewSpec Spec, DateTimeOffset CreatedAt, bool Created);

/// <summary>
/// Feature view definitions, versioned like project specs (a PUT of a changed definition is a new version; the same
/// definition again stores nothing), plus each view's materialisation records and its timer state. Table
/// <c>featureviews</c>: partition = view; rows <c>counter</c>, <c>v|{version}</c>, <c>m|{materialisation}</c>, <c>schedule</c>;
/// partition <c>_index</c> lists the views.
/// </summary>
public sealed class FeatureViewCatalog(TableStore tables, TimeProvider? time = null)
{
    /// <summary>The table.</summary>
    public const string Table = "featureviews";

    private const string IndexPartition = "_index";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Stores <paramref name="spec"/> for <paramref name="view"/> of <paramref name="project"/>: 400 naming each bad
    /// field; 409 when another project owns the view name.
    /// </summary>
    public async Task<FeatureViewVersion> PutAsync(string project, string view, FeatureViewSpec spec, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(project, "project");
        ResourceName.Require(view, "view");
        var validated = FeatureViewParser.Validate(spec);
        var json = JsonSerializer.Serialize(validated, FeatureJson.Options);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var now = _time.GetUtcNow();

        // Views are looked up by name alone (GET /api/features/{view}/...), so a name belongs to the first project that declared it.
        var claim = await tables.InsertIfAbsentAsync(Table, new TableRow(IndexPartition, view).Set("Project", project).Set("CreatedAt", now), cancellationToken).ConfigureAwait(false);
        if (!claim.Succeeded)
        {
            var owner = (await tables.GetAsync(Table, IndexPartition, view, cancellationToken).ConfigureAwait(false))?.GetString("Project");
            if (owner != project)
            {
                throw new MlopsException(ErrorCode.Conflict, $"Feature view '{view}' belongs to project '{owner}'; view names are global. Choose another name.");
            }
        }

        return await NumberAllocator.AllocateAsync(tables, Table, view,
            existing: async (counter, ct) =>
            {
                if (counter?.GetInt32("Last") is not { } last)
                {
                    return null;
                }

                var latest = await tables.GetAsync(Table, view, VersionKey(last), ct).ConfigureAwait(false);
                return latest?.GetString("SpecSha256") == hash ? ToVersion(latest, created: false) : null;
            },
            rowsFor: n => [TableOperation.Insert(new TableRow(view, VersionKey(n))
                .Set("Version", (int)n).Set("Project", project).Set("Spec", json).Set("SpecSha256", hash).Set("CreatedAt", now))],
            created: n => new FeatureViewVersion(view, project, (int)n, validated, now, Created: true),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest version (or the given one); 404 naming the view when absent.</summary>
    public async Task<FeatureViewVersion> GetAsync(string view, int? version = null, CancellationToken cancellationToken = default) =>
        await FindAsync(view, version, cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound(version is null ? $"Feature view '{view}' does not exist." : $"Feature view '{view}' has no version {version}.");

    /// <summary>The latest version (or the given one), or null.</summary>
    public async Task<FeatureViewVersion?> FindAsync(string view, int? version = null, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(view, "view");
        if (version is null)
        {
            var counter = await tables.GetAsync(Table, view, CatalogLayout.CounterRow, cancellationToken).ConfigureAwait(false);
            version = counter?.GetInt32("Last");
            if (version is null)
            {
                return null;
            }
        }

        var row = await tables.GetAsync(Table, view, VersionKey(version.Value), cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToVersion(row, created: false);
    }

    /// <summary>Every version, oldest first.</summary>
    public async IAsyncEnumerable<FeatureViewVersion> ListVersionsAsync(string view, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in tables.QueryAsync(Table, view, RowKeyRange.Prefix("v|"), cancellationToken).ConfigureAwait(false))
        {
            yield return ToVersion(row, created: false);
        }
    }

    /// <summary>Every view name with its project, in name order.</summary>
    public async IAsyncEnumerable<(string View, string Project)> ListViewsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in tables.QueryAsync(Table, IndexPartition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return (row.RowKey, row.GetString("Project") ?? "");
        }
    }

    /// <summary>Records a finished materialisation (idempotent: the record is keyed by its id) and makes it the view version's latest.</summary>
    public async Task RecordMaterializationAsync(MaterializationManifest manifest, string manifestPath, CancellationToken cancellationToken = default)
    {
        var row = new TableRow(manifest.View, MaterializationKey(manifest.MaterializationId))
            .Set("ViewVersion", manifest.ViewVersion)
            .Set("CompletedAt", manifest.CreatedAt)
            .Set("Rows", manifest.Rows)
            .Set("ManifestPath", manifestPath);
        JsonColumn.Write(row, "Summary", MaterializationSummary.Of(manifest, manifestPath));
        await tables.UpsertAsync(Table, row, cancellationToken: cancellationToken).ConfigureAwait(false);

        // The pointer a join reads. Replaced only by a materialisation of the same or a newer version that completed later.
        var pointerKey = "latest|" + CatalogLayout.Ascending(manifest.ViewVersion);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await tables.GetAsync(Table, manifest.View, pointerKey, cancellationToken).ConfigureAwait(false);
            if (current?.GetString("MaterializationId") == manifest.MaterializationId ||
                (current?.GetDateTimeOffset("CompletedAt") is { } at && at > manifest.CreatedAt))
            {
                return;
            }

            var pointer = new TableRow(manifest.View, pointerKey)
                .Set("MaterializationId", manifest.MaterializationId).Set("ManifestPath", manifestPath).Set("CompletedAt", manifest.CreatedAt);
            var result = current is null
                ? await tables.InsertIfAbsentAsync(Table, pointer, cancellationToken).ConfigureAwait(false)
                : await tables.ReplaceIfMatchAsync(Table, pointer, current.ETag!, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }
        }

        throw new MlopsException(ErrorCode.Conflict, $"Could not move the latest materialisation of view '{manifest.View}' under contention; retry.");
    }

    /// <summary>The manifest path of the latest materialisation of <paramref name="view"/> version <paramref name="version"/>, or null.</summary>
    public async Task<string?> FindLatestManifestPathAsync(string view, int version, CancellationToken cancellationToken = default) =>
        (await tables.GetAsync(Table, view, "latest|" + CatalogLayout.Ascending(version), cancellationToken).ConfigureAwait(false))?.GetString("ManifestPath");

    /// <summary>The view's materialisations, newest first.</summary>
    public async Task<IReadOnlyList<MaterializationSummary>> ListMaterializationsAsync(string view, CancellationToken cancellationToken = default)
    {
        var list = new List<MaterializationSummary>();
        await foreach (var row in tables.QueryAsync(Table, view, RowKeyRange.Prefix("m|"), cancellationToken).ConfigureAwait(false))
        {
            if (JsonColumn.Read<MaterializationSummary>(row, "Summary") is { } summary)
            {
                list.Add(summary);
            }
        }

        return list.OrderByDescending(m => m.CompletedAt).ToList();
    }

    /// <summary>When the timer last materialised <paramref name="view"/> on schedule, or null.</summary>
    public async Task<DateTimeOffset?> GetLastScheduledAsync(string view, CancellationToken cancellationToken = default) =>
        (await tables.GetAsync(Table, view, "schedule", cancellationToken).ConfigureAwait(false))?.GetDateTimeOffset("Last");

    /// <summary>Records the schedule occurrence the timer materialised.</summary>
    public Task SetLastScheduledAsync(string view, DateTimeOffset occurrence, CancellationToken cancellationToken = default) =>
        tables.UpsertAsync(Table, new TableRow(view, "schedule").Set("Last", occurrence), cancellationToken: cancellationToken);

    private static string VersionKey(long version) => "v|" + CatalogLayout.Ascending(version);

    private static string MaterializationKey(string id) => "m|" + id;

    private static FeatureViewVersion ToVersion(TableRow row, bool created) =>
        new(row.PartitionKey, row.GetString("Project")!, row.GetInt32("Version")!.Value,
            JsonSerializer.Deserialize<FeatureViewSpec>(row.GetString("Spec")!, FeatureJson.Options)!,
            row.GetDateTimeOffset("CreatedAt")!.Value, created);
}

/// <summary>A materialisation as listed with its view.</summary>
/// <param name="MaterializationId">Its id: a hash of the view version and the source partitions.</param>
/// <param name="ViewVersion">The view version it computed.</param>
/// <param name="CompletedAt">When its manifest was written.</param>
/// <param name="Rows">Feature rows written.</param>
/// <param name="Entities">Distinct entities.</param>
/// <param name="From">Earliest event time.</param>
/// <param name="To">Latest event time.</param>
/// <param name="Manifest">The manifest's path in the <c>features</c> container.</param>
/// <param name="Partitions">Source partitions read.</param>
public sealed record MaterializationSummary(string MaterializationId, int ViewVersion, DateTimeOffset CompletedAt, long Rows, long Entities,
    DateTimeOffset? From, DateTimeOffset? To, string Manifest, int Partitions)
{
    /// <summary>The summary of a manifest.</summary>
    public static MaterializationSummary Of(MaterializationManifest m, string path) =>
        new(m.MaterializationId, m.ViewVersion, m.CreatedAt, m.Rows, m.Entities, m.TimeRange?.From, m.TimeRange?.To, OfflineStore.Container + "/" + path, m.Source.Partitions.Count);
}
