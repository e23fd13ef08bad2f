using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Mlops.Catalog;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Features.Computation;
using Mlops.Features.Offline;
using Mlops.Features.Online;
using Mlops.Features.Sources;
using Mlops.Storage;

namespace Mlops.Features.Materialization;

/// <summary>One source partition: a dataset version or a stream upload.</summary>
/// <param name="Index">Its position, oldest first (orders rows of equal event time).</param>
/// <param name="Sha256">Its content address.</param>
/// <param name="Rows">Its rows.</param>
public sealed record SourcePartition(int Index, string Sha256, long Rows);

/// <summary>What a materialisation will do; the input of every activity (so they all compute alike).</summary>
/// <param name="Project">The project that declared the view.</param>
/// <param name="View">The view.</param>
/// <param name="ViewVersion">The view version.</param>
/// <param name="SourceKind"><c>project</c> or <c>stream</c>.</param>
/// <param name="SourceName">The project or stream.</param>
/// <param name="Partitions">The partitions, oldest first.</param>
/// <param name="ColumnKinds">The source columns' kinds (from the newest partition's schema).</param>
/// <param name="Buckets">Entity-hash buckets: the unit of computation, sized so one bucket fits in memory.</param>
/// <param name="MaterializationId">Hash of the inputs: the same inputs give the same files and manifest.</param>
public sealed record MaterializationPlan(string Project, string View, int ViewVersion, string SourceKind, string SourceName,
    IReadOnlyList<SourcePartition> Partitions, IReadOnlyDictionary<string, ColumnKind> ColumnKinds, int Buckets, string MaterializationId);

/// <summary>What staging one partition read.</summary>
/// <param name="Index">The partition.</param>
/// <param name="Rows">Rows staged.</param>
/// <param name="Skipped">Rows without an entity key or a valid event time.</param>
public sealed record StagedPartition(int Index, long Rows, long Skipped);

/// <summary>What computing one bucket wrote.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Rows">Feature rows.</param>
/// <param name="Entities">Distinct entities.</param>
/// <param name="MinTicks">Earliest event time, if any rows.</param>
/// <param name="MaxTicks">Latest event time, if any rows.</param>
/// <param name="Files">Parquet parts, one per date.</param>
/// <param name="OnlineWritten">Online rows written.</param>
/// <param name="OnlineUnchanged">Online rows already up to date.</param>
public sealed record BucketResult(int Bucket, long Rows, long Entities, long? MinTicks, long? MaxTicks, IReadOnlyList<ManifestFile> Files, int OnlineWritten, int OnlineUnchanged);

/// <summary>
/// Materialises a view in three steps that the orchestration runs as activities: <see cref="StagePartitionAsync"/> once
/// per source partition (streams the partition's CSV, keeps the columns the view reads, and splits the rows by entity
/// hash into staging files), <see cref="ComputeBucketAsync"/> once per bucket (loads one bucket's rows from every
/// partition, computes the features per entity in event-time order, writes Parquet parts by date and the latest value per
/// entity to the online store), and <see cref="CommitAsync"/> (the manifest, then the catalog record). Memory is bounded
/// by one bucket, not by the source. Every step is idempotent.
/// </summary>
public sealed class Materializer(FeatureViewCatalog views, CatalogServices catalog, FeatureSourceStore sources, OfflineStore offline, OnlineStore online,
    TimeProvider? time = null)
{
    /// <summary>Rows per bucket the plan aims at.</summary>
    public const long RowsPerBucket = 400_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Plans a materialisation of the view's latest version over every partition of its source.</summary>
    public async Task<MaterializationPlan> PlanAsync(string view, CancellationToken cancellationToken = default)
    {
        var definition = await views.GetAsync(view, cancellationToken: cancellationToken).ConfigureAwait(false);
        var spec = definition.Spec;
        var partitions = new List<(string Sha, long Rows, DatasetSchema Schema)>();
        string kind, name;
        if (spec.Source.Project is { } project)
        {
            (kind, name) = ("project", project);
            await foreach (var version in catalog.Datasets.ListAsync(project, cancellationToken).ConfigureAwait(false))
            {
                partitions.Add((version.Sha256, version.RowCount, version.Schema!));
            }

            partitions.Reverse(); // oldest first
        }
        else
        {
            (kind, name) = ("stream", spec.Source.Stream!);
            await foreach (var upload in sources.ListAsync(name, cancellationToken).ConfigureAwait(false))
            {
                partitions.Add((upload.Sha256, upload.Rows, upload.Schema));
            }
        }

        if (partitions.Count == 0)
        {
            throw MlopsException.NotFound($"Feature view '{view}': its source {spec.Source} has no data yet; upload some, then materialise.");
        }

        // Partitions that lack a column the view reads (an older schema) are left out; the newest decides the kinds.
        var kinds = partitions[^1].Schema.Columns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.Ordinal);
        var compiled = new CompiledView(view, definition.Version, spec, kinds);
        var needed = spec.Entities.Append(spec.Timestamp).Concat(compiled.NumericColumns).Concat(compiled.TextColumns).ToList();
        var usable = partitions.Where(p => needed.All(c => p.Schema.Find(c) is not null)).ToList();
        var total = usable.Sum(p => p.Rows);
        var buckets = (int)Math.Clamp((total + RowsPerBucket - 1) / RowsPerBucket, 1, 64);
        var identity = $"{view}|v{definition.Version}|{kind}:{name}|{buckets}|{string.Join(',', usable.Select(p => p.Sha))}";
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
        return new MaterializationPlan(definition.Project, view, definition.Version, kind, name,
            usable.Select((p, i) => new SourcePartition(i, p.Sha, p.Rows)).ToList(), kinds, buckets, id);
    }

    /// <summary>Stages one partition: its rows, reduced to the view's columns, split into one staging blob per bucket.</summary>
    public async Task<StagedPartition> StagePartitionAsync(MaterializationPlan plan, int partition, CancellationToken cancellationToken = default)
    {
        var view = await CompileAsync(plan, cancellationToken).ConfigureAwait(false);
        var spec = view.Spec;
        var sha = plan.Partitions[partition].Sha256;
        await using var download = plan.SourceKind == "project"
            ? await catalog.Datasets.OpenDataAsync(plan.SourceName, sha, cancellationToken).ConfigureAwait(false)
            : await sources.OpenAsync(plan.SourceName, sha, cancellationToken).ConfigureAwait(false);

        var files = new (FileStream File, BinaryWriter Writer)[plan.Buckets];
        try
        {
            for (var b = 0; b < files.Length; b++)
            {
                var file = new FileStream(Path.Combine(Path.GetTempPath(), "mlops-features-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite,
                    FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
                var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
                SourceRows.WriteHeader(writer, view.NumericColumns.Count, view.TextColumns.Count);
                files[b] = (file, writer);
            }

            var options = new CsvReaderOptions { Separator = ',', HasHeader = false, SkipEmptyLines = true, PoolStrings = true, IncludeValuesInExceptions = false };
            await using var reader = CsvReader.Create(download.Content, options, leaveOpen: true);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new MlopsException(ErrorCode.Internal, $"Source partition {sha} has no header.");
            }

            var header = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                header.TryAdd(reader.GetString(i), i);
            }

            int Column(string name) => header.TryGetValue(name, out var i) ? i
                : throw new MlopsException(ErrorCode.Rejected, $"Source partition {sha[..12]} of view '{plan.View}' has no column '{name}'.");
            var entityAt = spec.Entities.Select(Column).ToArray();
            var timeAt = Column(spec.Timestamp);
            var numberAt = view.NumericColumns.Select(Column).ToArray();
            var textAt = view.TextColumns.Select(Column).ToArray();
            var keyParts = new string?[entityAt.Length];
            var numbers = new double[numberAt.Length];
            var texts = new string?[textAt.Length];
            long rows = 0, skipped = 0, rowNumber = 0;
            var sequenceBase = (long)partition << 40;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rowNumber++;
                for (var e = 0; e < entityAt.Length; e++)
                {
                    keyParts[e] = reader.GetString(entityAt[e]);
                }

                var key = EntityKey.Join(keyParts);
                if (key is null || !EventTime.TryParse(reader.GetString(timeAt), out var ticks))
                {
                    skipped++;
                    continue;
                }

                for (var i = 0; i < numberAt.Length; i++)
                {
                    numbers[i] = double.TryParse(reader.GetString(numberAt[i]), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : double.NaN;
                }

                for (var i = 0; i < textAt.Length; i++)
                {
                    var t = reader.GetString(textAt[i]);
                    texts[i] = t.Length == 0 ? null : t;
                }

                SourceRows.WriteRow(files[BucketOf(key, plan.Buckets)].Writer, key, ticks, sequenceBase + rowNumber, numbers, texts);
                rows++;
            }

            for (var b = 0; b < files.Length; b++)
            {
                SourceRows.WriteEnd(files[b].Writer);
                files[b].Writer.Flush();
                files[b].File.Position = 0;
                await offline.PutStagingAsync(StagingPath(plan, partition, b), files[b].File, cancellationToken).ConfigureAwait(false);
            }

            return new StagedPartition(partition, rows, skipped);
        }
        finally
        {
            foreach (var (file, writer) in files.Where(f => f.File is not null))
            {
                writer.Dispose();
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Computes one bucket: its feature rows to Parquet by date, its entities' latest values to the online store.</summary>
    public async Task<BucketResult> ComputeBucketAsync(MaterializationPlan plan, int bucket, CancellationToken cancellationToken = default)
    {
        var view = await CompileAsync(plan, cancellationToken).ConfigureAwait(false);
        var rows = new SourceRows(view.NumericColumns.Count, view.TextColumns.Count);
        foreach (var partition in plan.Partitions)
        {
            await using var staged = await offline.OpenStagingAsync(StagingPath(plan, partition.Index, bucket), cancellationToken).ConfigureAwait(false);
            using var buffered = new BufferedStream(staged.Content, 256 * 1024);
            rows.ReadFrom(buffered);
        }

        var features = FeatureComputer.Compute(view, rows);
        var prefix = OfflineStore.Prefix(plan.Project, plan.View, plan.ViewVersion);
        var files = new List<ManifestFile>();
        var byDate = Enumerable.Range(0, features.Count).GroupBy(i => OfflineStore.DateOf(features.Ticks[i])).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var date in byDate)
        {
            var indices = date.OrderBy(i => features.Ticks[i]).ThenBy(i => features.Sequence[i]).ToList();
            var path = OfflineStore.PartPath(prefix, date.Key, plan.MaterializationId, bucket);
            await offline.WritePartAsync(path, features, indices, view.Spec.Entities, view.Spec.Timestamp, cancellationToken).ConfigureAwait(false);
            files.Add(new ManifestFile(path, date.Key, indices.Count));
        }

        // Rows are in entity, time, source order: the last row of each entity is its latest value.
        var latest = new List<OnlineEntry>();
        for (var i = 0; i < features.Count; i++)
        {
            if (i == features.Count - 1 || !string.Equals(features.Keys[i], features.Keys[i + 1], StringComparison.Ordinal))
            {
                latest.Add(new OnlineEntry(features.Keys[i], features.Ticks[i], OnlineStore.ValuesJson(features, i)));
            }
        }

        var stats = await online.WriteLatestAsync(plan.View, plan.ViewVersion, plan.MaterializationId, latest, cancellationToken).ConfigureAwait(false);
        return new BucketResult(bucket, features.Count, latest.Count, features.Count == 0 ? null : features.Ticks.Min(), features.Count == 0 ? null : features.Ticks.Max(),
            files, stats.Written, stats.Unchanged);
    }

    /// <summary>Writes the manifest and records the materialisation; returns the manifest as stored.</summary>
    public async Task<MaterializationManifest> CommitAsync(MaterializationPlan plan, IReadOnlyList<StagedPartition> staged, IReadOnlyList<BucketResult> buckets,
        CancellationToken cancellationToken = default)
    {
        var view = await CompileAsync(plan, cancellationToken).ConfigureAwait(false);
        var withRows = buckets.Where(b => b.MinTicks is not null).ToList();
        var manifest = new MaterializationManifest
        {
            Project = plan.Project,
            View = plan.View,
            ViewVersion = plan.ViewVersion,
            MaterializationId = plan.MaterializationId,
            CreatedAt = _time.GetUtcNow(),
            Source = new ManifestSource(plan.SourceKind, plan.SourceName,
                plan.Partitions.Select(p => new ManifestPartition(p.Sha256, staged.FirstOrDefault(s => s.Index == p.Index)?.Rows ?? 0,
                    staged.FirstOrDefault(s => s.Index == p.Index)?.Skipped ?? 0)).ToList()),
            EntityColumns = view.Spec.Entities,
            TimestampColumn = view.Spec.Timestamp,
            Features = view.Outputs,
            Rows = buckets.Sum(b => b.Rows),
            Entities = buckets.Sum(b => b.Entities),
            TimeRange = withRows.Count == 0 ? null
                : new TimeRange(EventTime.ToDateTimeOffset(withRows.Min(b => b.MinTicks!.Value)), EventTime.ToDateTimeOffset(withRows.Max(b => b.MaxTicks!.Value))),
            Files = buckets.SelectMany(b => b.Files).OrderBy(f => f.Date, StringComparer.Ordinal).ThenBy(f => f.Path, StringComparer.Ordinal).ToList(),
        };
        var path = await offline.WriteManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
        var stored = await offline.ReadManifestAsync(path, cancellationToken).ConfigureAwait(false);
        await views.RecordMaterializationAsync(stored, path, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>All steps in this process, one after another (tools, benchmarks, tests of the domain).</summary>
    public async Task<MaterializationManifest> MaterializeAsync(string view, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(view, cancellationToken).ConfigureAwait(false);
        var staged = new List<StagedPartition>();
        foreach (var p in plan.Partitions)
        {
            staged.Add(await StagePartitionAsync(plan, p.Index, cancellationToken).ConfigureAwait(false));
        }

        var buckets = new List<BucketResult>();
        for (var b = 0; b < plan.Buckets; b++)
        {
            buckets.Add(await ComputeBucketAsync(plan, b, cancellationToken).ConfigureAwait(false));
        }

        return await CommitAsync(plan, staged, buckets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bucket of an entity key: a stable hash (FNV-1a), the same in every process.</summary>
    public static int BucketOf(string key, int buckets)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)buckets);
    }

    private static string StagingPath(MaterializationPlan plan, int partition, int bucket) =>
        string.Create(CultureInfo.InvariantCulture, $"{OfflineStore.Prefix(plan.Project, plan.View, plan.ViewVersion)}/_staging/{plan.MaterializationId[..12]}/p{partition:D5}-b{bucket:D3}.bin");

    private async Task<CompiledView> CompileAsync(MaterializationPlan plan, CancellationToken cancellationToken)
    {
        var definition = await views.GetAsync(plan.View, plan.ViewVersion, cancellationToken).ConfigureAwait(false);
        return new CompiledView(plan.View, plan.ViewVersion, definition.Spec, plan.ColumnKinds);
    }
}
