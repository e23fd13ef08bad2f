using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Mlops.Catalog;
using Mlops.Catalog.Internal;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Storage;

namespace Mlops.Features.Sources;

/// <summary>One accepted upload of a feature-source stream.</summary>
/// <param name="Source">The stream.</param>
/// <param name="Version">1, 2, ... per stream.</param>
/// <param name="Sha256">Content address of its canonical CSV.</param>
/// <param name="Rows">Data rows.</param>
/// <param name="Schema">Columns and kinds (numeric when every present value is a number, else categorical).</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="Created">False when the same rows were uploaded before.</param>
public sealed record SourceUpload(string Source, int Version, string Sha256, long Rows, DatasetSchema Schema, DateTimeOffset ReceivedAt, bool Created);

/// <summary>
/// Feature-source streams (<c>POST /api/feature-sources/{source}/data</c>): rows that feed feature views without being a
/// project's training data. Each upload (CSV or a JSON array of flat objects) is stored as canonical CSV,
/// content-addressed and immutable, at <c>feature-sources/{source}/{sha256}/data.csv</c>; the table
/// <c>featuresources</c> numbers them. An identical upload is the existing version.
/// </summary>
public sealed class FeatureSourceStore(TableStore tables, BlobStore blobs, TimeProvider? time = null)
{
    /// <summary>The table.</summary>
    public const string Table = "featuresources";

    /// <summary>The container.</summary>
    public const string Container = "feature-sources";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Stores an upload; 400 naming the problem when it is not CSV with a header or a JSON array of flat objects.</summary>
    public async Task<SourceUpload> IngestAsync(string source, Stream content, string? contentType, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(source, "source");
        var (header, rows) = (contentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase)
            ? ReadJson(content)
            : await ReadCsvAsync(content, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw MlopsException.Invalid("$", "not-empty", "The upload has no rows.");
        }

        var schema = new DatasetSchema(header.Select((name, i) =>
        {
            var present = rows.Select(r => r[i]).Where(v => !string.IsNullOrEmpty(v)).ToList();
            var numeric = present.Count > 0 && present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            return new ColumnSchema(name, numeric ? ColumnKind.Numeric : ColumnKind.Categorical, present.Count < rows.Count);
        }).ToList());

        var csv = new StringBuilder();
        csv.Append(string.Join(',', header.Select(Quote))).Append('\n');
        foreach (var row in rows)
        {
            csv.Append(string.Join(',', row.Select(v => Quote(v ?? "")))).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(csv.ToString());
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (await FindAsync(source, sha, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return known with { Created = false };
        }

        await blobs.PutAsync(Container, $"{source}/{sha}/data.csv", BinaryData.FromBytes(bytes), new BlobPutOptions { ContentType = "text/csv" }, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        SourceUpload Record(long n) => new(source, (int)n, sha, rows.Count, schema, now, true);
        TableRow Row(string key, long n)
        {
            var row = new TableRow(source, key).Set("Version", (int)n).Set("Sha256", sha);
            JsonColumn.Write(row, "Record", Record(n));
            return row;
        }

        return await NumberAllocator.AllocateAsync(tables, Table, source,
            existing: (_, ct) => FindAsync(source, sha, ct),
            rowsFor: n => [TableOperation.Insert(Row("sha|" + sha, n)), TableOperation.Insert(Row("v|" + CatalogLayout.Ascending(n), n))],
            created: Record,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The upload with this content, or null.</summary>
    public async Task<SourceUpload?> FindAsync(string source, string sha256, CancellationToken cancellationToken = default)
    {
        var row = await tables.GetAsync(Table, source, "sha|" + sha256, cancellationToken).ConfigureAwait(false);
        return row is null ? null : JsonColumn.Read<SourceUpload>(row, "Record")! with { Created = false };
    }

    /// <summary>Every upload of <paramref name="source"/>, oldest first.</summary>
    public async IAsyncEnumerable<SourceUpload> ListAsync(string source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in tables.QueryAsync(Table, source, RowKeyRange.Prefix("v|"), cancellationToken).ConfigureAwait(false))
        {
            yield return JsonColumn.Read<SourceUpload>(row, "Record")! with { Created = false };
        }
    }

    /// <summary>Opens an upload's canonical CSV.</summary>
    public async Task<BlobDownload> OpenAsync(string source, string sha256, CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(Container, $"{source}/{sha256}/data.csv", cancellationToken).ConfigureAwait(false)
        ?? throw MlopsException.NotFound($"Feature source '{source}' has no upload {sha256}.");

    private static async Task<(List<string> Header, List<string?[]> Rows)> ReadCsvAsync(Stream content, CancellationToken ct)
    {
        var options = new CsvReaderOptions { Separator = ',', HasHeader = false, SkipEmptyLines = true, IncludeValuesInExceptions = false };
        await using var reader = CsvReader.Create(content, options, leaveOpen: true);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            throw MlopsException.Invalid("$", "not-empty", "The CSV has no header.");
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList();
        RequireHeader(header);
        var rows = new List<string?[]>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (reader.FieldCount != header.Count)
            {
                throw MlopsException.Invalid($"rows[{rows.Count}]", "ragged", $"Row {rows.Count + 1} has {reader.FieldCount} fields; the header has {header.Count}.");
            }

            rows.Add(Enumerable.Range(0, header.Count).Select(i => (string?)reader.GetString(i)).ToArray());
        }

        return (header, rows);
    }

    private static (List<string> Header, List<string?[]> Rows) ReadJson(Stream content)
    {
        using var doc = JsonDocument.Parse(content);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid("$", "type", "A JSON upload must be an array of flat objects (one per row).");
        }

        var header = new List<string>();
        var objects = doc.RootElement.EnumerateArray().ToList();
        for (var i = 0; i < objects.Count; i++)
        {
            if (objects[i].ValueKind != JsonValueKind.Object)
            {
                throw MlopsException.Invalid($"[{i}]", "type", $"Row {i + 1} is not an object.");
            }

            foreach (var p in objects[i].EnumerateObject())
            {
                if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    throw MlopsException.Invalid($"[{i}].{p.Name}", "type", $"Value '{p.Name}' of row {i + 1} is nested; rows must be flat.");
                }

                if (!header.Contains(p.Name))
                {
                    header.Add(p.Name);
                }
            }
        }

        RequireHeader(header);
        var rows = objects.Select(o => header.Select(h => o.TryGetProperty(h, out var v) ? Text(v) : null).ToArray()).ToList();
        return (header, rows);
    }

    private static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => v.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };

    private static void RequireHeader(List<string> header)
    {
        if (header.Count == 0 || header.Any(string.IsNullOrWhiteSpace) || header.Distinct(StringComparer.Ordinal).Count() != header.Count)
        {
            throw MlopsException.Invalid("header", "unique", "Every column needs a distinct, non-empty name.");
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
