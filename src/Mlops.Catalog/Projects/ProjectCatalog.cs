using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mlops.Catalog.Internal;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Storage;

namespace Mlops.Catalog.Projects;

/// <summary>One stored version of a project's spec.</summary>
/// <param name="Project">The project name.</param>
/// <param name="Version">1, 2, ...: every change of the spec is a new version.</param>
/// <param name="Spec">The validated spec with its defaults filled in.</param>
/// <param name="CreatedAt">When this version was stored.</param>
/// <param name="Created">True when this call stored it; false when the same spec was already the latest version.</param>
public sealed record ProjectVersion(string Project, int Version, ProjectSpec Spec, DateTimeOffset CreatedAt, bool Created)
{
    /// <summary>The registered model a project trains: it carries the project's name.</summary>
    public string ModelName => Project;
}

/// <summary>
/// Project specs with PUT semantics: each change is stored as a new version (1, 2, ...), never overwritten, and runs
/// record the version they used. Putting the spec that is already latest stores nothing.
/// </summary>
public sealed class ProjectCatalog
{
    private readonly TableStore _tables;
    private readonly TimeProvider _time;

    /// <summary>Creates the catalog over a table store.</summary>
    public ProjectCatalog(TableStore tables, TimeProvider? time = null)
    {
        _tables = tables;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Parses and validates <paramref name="specJson"/> (400 naming each bad field), then stores it as in <see cref="PutAsync(string, ProjectSpec, CancellationToken)"/>.</summary>
    public Task<ProjectVersion> PutAsync(string project, string specJson, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        return PutAsync(project, ProjectSpecParser.Parse(specJson), cancellationToken);
    }

    /// <summary>Stores the spec as a new version unless it equals the latest one; returns the version either way.</summary>
    public async Task<ProjectVersion> PutAsync(string project, ProjectSpec spec, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        var validated = ProjectSpecParser.Validate(spec);
        var json = JsonSerializer.Serialize(validated, SpecJson.Options);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var now = _time.GetUtcNow();

        var stored = await NumberAllocator.AllocateAsync(_tables, CatalogLayout.ProjectsTable, project,
            existing: async (counter, ct) =>
            {
                // Compared against the latest version read with the counter: a concurrent identical PUT either
                // committed before (then this matches) or loses the counter race and comes back here.
                if (counter?.GetInt32("Last") is not { } last)
                {
                    return null;
                }

                var latest = await _tables.GetAsync(CatalogLayout.ProjectsTable, project, VersionKey(last), ct).ConfigureAwait(false);
                return latest?.GetString("SpecSha256") == hash ? ToVersion(latest, created: false) : null;
            },
            rowsFor: n => [TableOperation.Insert(new TableRow(project, VersionKey(n))
                .Set("Version", (int)n).Set("Spec", json).Set("SpecSha256", hash).Set("CreatedAt", now))],
            created: n => new ProjectVersion(project, (int)n, validated, now, Created: true),
            cancellationToken).ConfigureAwait(false);

        // The index row lets timers list every project (a table cannot list its partitions). Written after the spec,
        // on every PUT, insert-if-absent: a repeated or concurrent PUT finds it there and changes nothing.
        await _tables.InsertIfAbsentAsync(CatalogLayout.ProjectsTable, new TableRow(IndexPartition, project).Set("CreatedAt", now), cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>
    /// Every project name, in ordinal order. A project is listed once a PUT of its spec has completed (projects stored
    /// before this index existed appear after their next PUT).
    /// </summary>
    public async IAsyncEnumerable<string> ListProjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in _tables.QueryAsync(CatalogLayout.ProjectsTable, IndexPartition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row.RowKey;
        }
    }

    /// <summary>The latest version (or the given one); 404 when the project or version does not exist.</summary>
    public async Task<ProjectVersion> GetAsync(string project, int? version = null, CancellationToken cancellationToken = default) =>
        await FindAsync(project, version, cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound(version is null ? $"Project '{project}' does not exist." : $"Project '{project}' has no spec version {version}.");

    /// <summary>The latest version (or the given one), or null.</summary>
    public async Task<ProjectVersion?> FindAsync(string project, int? version = null, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        if (version is null)
        {
            var counter = await _tables.GetAsync(CatalogLayout.ProjectsTable, project, CatalogLayout.CounterRow, cancellationToken).ConfigureAwait(false);
            version = counter?.GetInt32("Last");
            if (version is null)
            {
                return null;
            }
        }

        var row = await _tables.GetAsync(CatalogLayout.ProjectsTable, project, VersionKey(version.Value), cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToVersion(row, created: false);
    }

    /// <summary>Every version of a project's spec, oldest first.</summary>
    public async IAsyncEnumerable<ProjectVersion> ListVersionsAsync(string project, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        await foreach (var row in _tables.QueryAsync(CatalogLayout.ProjectsTable, project, RowKeyRange.Prefix("v|"), cancellationToken).ConfigureAwait(false))
        {
            yield return ToVersion(row, created: false);
        }
    }

    // Not a valid project name (names start with a letter or digit), so it never collides with a project's partition.
    private const string IndexPartition = "_index";

    private static string VersionKey(long version) => "v|" + CatalogLayout.Ascending(version);

    private static ProjectVersion ToVersion(TableRow row, bool created) =>
        new(row.PartitionKey, row.GetInt32("Version")!.Value,
            JsonSerializer.Deserialize<ProjectSpec>(row.GetString("Spec")!, SpecJson.Options)!,
            row.GetDateTimeOffset("CreatedAt")!.Value, created);
}
