namespace Mlops.Data;

/// <summary>The file formats a dataset can arrive in.</summary>
public enum DatasetFormat
{
    /// <summary>Comma-separated values with a header row (RFC 4180 quoting), UTF-8.</summary>
    Csv,
    /// <summary>A JSON array of flat objects, one per row, UTF-8.</summary>
    Json,
    /// <summary>JSON Lines: one flat JSON object per line, UTF-8.</summary>
    JsonLines,
    /// <summary>Apache Parquet with flat (non-repeated, non-nested) columns.</summary>
    Parquet,
}

/// <summary>Finds a <see cref="DatasetFormat"/> from a file name or a content type.</summary>
public static class DatasetFormats
{
    /// <summary>
    /// The format named by <paramref name="fileNameOrContentType"/>: an extension (<c>.csv</c>, <c>.json</c>,
    /// <c>.jsonl</c>/<c>.ndjson</c>, <c>.parquet</c>) or a content type (<c>text/csv</c>, <c>application/json</c>,
    /// <c>application/x-ndjson</c>/<c>application/jsonl</c>, <c>application/vnd.apache.parquet</c>/<c>application/x-parquet</c>;
    /// parameters such as <c>; charset=utf-8</c> are ignored). Null when it names none of these.
    /// A <c>.json</c> body whose first value is an object rather than an array is read as JSON Lines.
    /// </summary>
    public static DatasetFormat? Detect(string? fileNameOrContentType)
    {
        if (string.IsNullOrWhiteSpace(fileNameOrContentType))
        {
            return null;
        }

        var hint = fileNameOrContentType.Trim();
        var semicolon = hint.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0 && hint.Contains('/', StringComparison.Ordinal))
        {
            hint = hint[..semicolon].Trim();
        }

        switch (hint.ToLowerInvariant())
        {
            case "text/csv" or "application/csv" or "csv":
                return DatasetFormat.Csv;
            case "application/json" or "text/json" or "json":
                return DatasetFormat.Json;
            case "application/x-ndjson" or "application/jsonl" or "application/jsonlines" or "application/x-jsonlines" or "jsonl" or "ndjson":
                return DatasetFormat.JsonLines;
            case "application/vnd.apache.parquet" or "application/x-parquet" or "application/parquet" or "parquet":
                return DatasetFormat.Parquet;
        }

        return Path.GetExtension(hint).ToLowerInvariant() switch
        {
            ".csv" => DatasetFormat.Csv,
            ".json" => DatasetFormat.Json,
            ".jsonl" or ".ndjson" => DatasetFormat.JsonLines,
            ".parquet" or ".parq" => DatasetFormat.Parquet,
            _ => null,
        };
    }

    /// <summary>The lower-case name used in reports: csv, json, jsonl, parquet.</summary>
    public static string Name(this DatasetFormat format) => format switch
    {
        DatasetFormat.Csv => "csv",
        DatasetFormat.Json => "json",
        DatasetFormat.JsonLines => "jsonl",
        DatasetFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
