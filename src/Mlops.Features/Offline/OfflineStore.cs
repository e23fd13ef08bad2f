using System.Globalization;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Features.Computation;
using Mlops.Storage;
using Parquet;
using Parquet.Schema;

namespace Mlops.Features.Offline;

/// <summary>
/// The offline store: each materialisation's feature rows as Parquet in Blob storage, partitioned by the UTC date of
/// their event time, immutable, with a manifest.
/// <code>
/// features/{project}/{view}/v{version}/date=YYYY-MM-DD/part-{materialisation:12}-{bucket:000}.parquet
/// features/{project}/{view}/v{version}/manifests/{materialisation}.json   (immutable)
/// features/{project}/{view}/v{version}/manifest.json                        (a copy of the latest manifest)
/// </code>
/// Parquet columns: the entity key columns (strings), the event-time column (UTC timestamp, µs), one column per feature
/// (nullable double, or nullable string). Rows in a file are in event-time order.
/// </summary>
public sealed class OfflineStore(BlobStore blobs)
{
    /// <summary>The blob container.</summary>
    public const string Container = "features";

    /// <summary>The folder of a view version.</summary>
    public static string Prefix(string project, string view, int version) => $"{project}/{view}/v{version}";

    /// <summary>The path of one Parquet part.</summary>
    public static string PartPath(string prefix, string date, string materializationId, int bucket) =>
        $"{prefix}/date={date}/part-{materializationId[..12]}-{bucket.ToString("D3", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The immutable manifest path of a materialisation.</summary>
    public static string ManifestPath(string prefix, string materializationId) => $"{prefix}/manifests/{materializationId}.json";

    /// <summary>The UTC date of event-time ticks, as in partition folders.</summary>
    public static string DateOf(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Writes rows <paramref name="indices"/> of <paramref name="rows"/> (event-time order) as one Parquet file, unless it
    /// exists: parts are immutable, and a retried or repeated materialisation computes the same rows.
    /// </summary>
    public async Task<bool> WritePartAsync(string path, FeatureRows rows, IReadOnlyList<int> indices, IReadOnlyList<string> entityColumns, string timestampColumn,
        CancellationToken cancellationToken)
    {
        if (await blobs.ExistsAsync(Container, path, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var entityFields = entityColumns.Select(c => new DataField<string>(c, false)).ToArray();
        var timeField = new DateTimeDataField(timestampColumn, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);
        var featureFields = rows.Outputs.Select(o => o.Numeric ? (DataField)new DataField<double?>(o.Name) : new DataField<string>(o.Name, true)).ToArray();
        var schema = new ParquetSchema([.. entityFields, timeField, .. featureFields]);

        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            using var group = writer.CreateRowGroup();
            var parts = indices.Select(i => EntityKey.Split(rows.Keys[i])).ToArray();
            for (var e = 0; e < entityFields.Length; e++)
            {
                var column = parts.Select(p => p[e]).ToArray();
                await group.WriteAsync(entityFields[e], column, null).ConfigureAwait(false);
            }

            var times = indices.Select(i => new DateTime(rows.Ticks[i], DateTimeKind.Utc)).ToArray();
            await group.WriteAsync<DateTime>(timeField, times.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
            for (var f = 0; f < featureFields.Length; f++)
            {
                if (rows.Numbers[f] is { } numbers)
                {
                    var values = indices.Select(i => double.IsNaN(numbers[i]) ? (double?)null : numbers[i]).ToArray();
                    await group.WriteAsync<double>(featureFields[f], values.AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var texts = rows.Texts[f]!;
                    await group.WriteAsync(featureFields[f], indices.Select(i => texts[i]).ToArray(), null).ConfigureAwait(false);
                }
            }
        }

        buffer.Position = 0;
        var result = await blobs.PutAsync(Container, path, buffer, new BlobPutOptions { ContentType = "application/vnd.apache.parquet" }, cancellationToken).ConfigureAwait(false);
        return result.Written;
    }

    /// <summary>Reads one part back into feature rows (keys joined as in <see cref="EntityKey"/>; sequence = row position).</summary>
    public async Task<FeatureRows> ReadPartAsync(string path, MaterializationManifest manifest, CancellationToken cancellationToken)
    {
        var data = await blobs.ReadAllAsync(Container, path, cancellationToken).ConfigureAwait(false)
                   ?? throw new MlopsException(ErrorCode.Internal, $"Offline part '{Container}/{path}' named by manifest {manifest.MaterializationId} is missing.");
        using var stream = data.ToStream();
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        var total = 0L;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            total += group.RowCount;
        }

        var rows = new FeatureRows(manifest.Features, checked((int)total));
        var offset = 0;
        var keyParts = manifest.EntityColumns.Select(_ => new string?[total]).ToArray();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var n = checked((int)group.RowCount);
            for (var e = 0; e < manifest.EntityColumns.Count; e++)
            {
                await group.ReadAsync(fields[manifest.EntityColumns[e]], keyParts[e].AsMemory(offset, n), null, cancellationToken).ConfigureAwait(false);
            }

            var times = new DateTime[n];
            await group.ReadAsync<DateTime>(fields[manifest.TimestampColumn], times.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var r = 0; r < n; r++)
            {
                rows.Ticks[offset + r] = DateTime.SpecifyKind(times[r], DateTimeKind.Utc).Ticks;
                rows.Sequence[offset + r] = offset + r;
            }

            for (var f = 0; f < manifest.Features.Count; f++)
            {
                var field = fields[manifest.Features[f].Name];
                if (rows.Numbers[f] is { } numbers)
                {
                    var values = new double?[n];
                    await group.ReadAsync<double>(field, values.AsMemory(), null, cancellationToken).ConfigureAwait(false);
                    for (var r = 0; r < n; r++)
                    {
                        numbers[offset + r] = values[r] ?? double.NaN;
                    }
                }
                else
                {
                    await group.ReadAsync(field, rows.Texts[f]!.AsMemory(offset, n), null, cancellationToken).ConfigureAwait(false);
                }
            }

            offset += n;
        }

        var parts = new string?[manifest.EntityColumns.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            for (var e = 0; e < parts.Length; e++)
            {
                parts[e] = keyParts[e][r];
            }

            rows.Keys[r] = EntityKey.Join(parts) ?? "";
        }

        return rows;
    }

    /// <summary>Writes a materialisation's manifest (immutable) and makes it the version's <c>manifest.json</c>; returns its path.</summary>
    public async Task<string> WriteManifestAsync(MaterializationManifest manifest, CancellationToken cancellationToken)
    {
        var prefix = Prefix(manifest.Project, manifest.View, manifest.ViewVersion);
        var path = ManifestPath(prefix, manifest.MaterializationId);
        var json = BinaryData.FromObjectAsJson(manifest, CatalogJson.Options);
        await blobs.PutAsync(Container, path, json, new BlobPutOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        // The stored (first) manifest is the truth: a repeat keeps its CreatedAt, so re-materialising changes nothing.
        var stored = await ReadManifestAsync(path, cancellationToken).ConfigureAwait(false);
        var latest = await blobs.ReadAllAsync(Container, prefix + "/manifest.json", cancellationToken).ConfigureAwait(false);
        var latestManifest = latest?.ToObjectFromJson<MaterializationManifest>(CatalogJson.Options);
        if (latestManifest is null || (latestManifest.MaterializationId != stored.MaterializationId && latestManifest.CreatedAt <= stored.CreatedAt))
        {
            await blobs.PutAsync(Container, prefix + "/manifest.json", BinaryData.FromObjectAsJson(stored, CatalogJson.Options),
                new BlobPutOptions { Overwrite = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }

        return path;
    }

    /// <summary>Writes a staging file (overwritten by a retry: staging is private to one materialisation, never read as features).</summary>
    public Task PutStagingAsync(string path, Stream content, CancellationToken cancellationToken) =>
        blobs.PutAsync(Container, path, content, new BlobPutOptions { Overwrite = true, ContentType = "application/octet-stream" }, cancellationToken);

    /// <summary>Opens a staging file.</summary>
    public async Task<BlobDownload> OpenStagingAsync(string path, CancellationToken cancellationToken) =>
        await blobs.GetAsync(Container, path, cancellationToken).ConfigureAwait(false)
        ?? throw new MlopsException(ErrorCode.Internal, $"Staging file '{Container}/{path}' is missing: its partition was not staged.");

    /// <summary>Reads a manifest by its path in the container.</summary>
    public async Task<MaterializationManifest> ReadManifestAsync(string path, CancellationToken cancellationToken) =>
        (await blobs.ReadAllAsync(Container, path, cancellationToken).ConfigureAwait(false))?.ToObjectFromJson<MaterializationManifest>(CatalogJson.Options)
        ?? throw MlopsException.NotFound($"Manifest '{Container}/{path}' does not exist.");
}
