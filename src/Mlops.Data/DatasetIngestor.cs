using System.Text;
using System.Text.Json;
using CsvHelper;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data.Reading;

namespace Mlops.Data;

/// <summary>
/// Reads, validates and profiles an uploaded dataset in one streaming pass over a <see cref="Stream"/> (a blob download
/// or an HTTP body), writing its canonical CSV as it goes. Bad input never throws: it ends as a rejected
/// <see cref="ValidationReport"/>. Thread-safe; one instance can serve every upload.
/// </summary>
public sealed class DatasetIngestor(IngestionOptions? options = null)
{
    private readonly IngestionOptions _options = options ?? IngestionOptions.Default;

    /// <summary>
    /// Ingests <paramref name="content"/>.
    /// </summary>
    /// <param name="content">The upload, read once from its current position; not disposed. Need not be seekable (a non-seekable Parquet stream is first copied to a temporary file).</param>
    /// <param name="formatHint">A file name (<c>weather.csv</c>) or content type (<c>text/csv</c>); see <see cref="DatasetFormats.Detect"/>.</param>
    /// <param name="spec">The project spec the data must fit (target, task, features, ignored columns).</param>
    /// <param name="previousSchema">The schema of the project's latest accepted version, or null for the first one.</param>
    /// <param name="canonicalOutput">
    /// Optional: receives the canonical CSV bytes as they are produced (a temp file or a blob write stream); not disposed.
    /// Complete and valid only when the result is accepted; discard it otherwise.
    /// </param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The verdict, the report, and for accepted data the SHA-256 version id, schema and profile.</returns>
    /// <exception cref="IOException">Only when <paramref name="content"/> or <paramref name="canonicalOutput"/> itself fails (not the data's fault).</exception>
    /// <exception cref="OperationCanceledException">When cancelled.</exception>
    public async Task<IngestionResult> IngestAsync(
        Stream content,
        string formatHint,
        ProjectSpec spec,
        DatasetSchema? previousSchema = null,
        Stream? canonicalOutput = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(spec);

        using var session = new IngestionSession(spec, previousSchema, _options, canonicalOutput);
        var format = DatasetFormats.Detect(formatHint);
        if (format is null)
        {
            session.Fatal(DataRules.UnsupportedFormat, "The upload must be CSV (.csv, text/csv), JSON rows (.json, application/json), JSON Lines (.jsonl) or Parquet (.parquet).");
            return await session.FinishAsync(string.IsNullOrWhiteSpace(formatHint) ? "unknown" : formatHint, 0, cancellationToken).ConfigureAwait(false);
        }

        var scanning = new ScanningStream(content, checkText: format != DatasetFormat.Parquet);
        var actual = format.Value;
        try
        {
            actual = await ReadAsync(scanning, format.Value, session, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not SourceStreamException)
        {
            Classify(e, session);
        }

        return await session.FinishAsync(actual.Name(), scanning.BytesRead, cancellationToken).ConfigureAwait(false);
    }

    private async Task<DatasetFormat> ReadAsync(ScanningStream input, DatasetFormat format, IngestionSession session, CancellationToken ct)
    {
        switch (format)
        {
            case DatasetFormat.Csv:
                await CsvRowReader.ReadAsync(input, session, ct).ConfigureAwait(false);
                return format;
            case DatasetFormat.Parquet:
                await ReadParquetAsync(input, session, ct).ConfigureAwait(false);
                return format;
        }

        // JSON: the first significant byte tells an array from JSON Lines, whatever the hint said.
        var first = await input.PeekFirstSignificantByteAsync(ct).ConfigureAwait(false);
        switch (first)
        {
            case -1:
                return format; // nothing but whitespace: FinishAsync reports empty-file
            case '[':
                await JsonRowReader.ReadArrayAsync(input, session, ct).ConfigureAwait(false);
                return DatasetFormat.Json;
            case '{':
                await JsonRowReader.ReadLinesAsync(input, session, ct).ConfigureAwait(false);
                return DatasetFormat.JsonLines;
            default:
                session.Fatal(DataRules.WrongShape, "A dataset in JSON is an array of objects (one per row) or JSON Lines of objects; this document starts with something else.");
                return format;
        }
    }

    private async Task ReadParquetAsync(ScanningStream input, IngestionSession session, CancellationToken ct)
    {
        // Parquet keeps its index in the footer, so the reader must seek. A seekable caller stream is read in place
        // (bytes are counted by its length); anything else is spooled to a temporary file that deletes itself.
        var original = Inner(input);
        if (original.CanSeek)
        {
            if (original.Length - original.Position == 0)
            {
                return;
            }

            await ParquetRowReader.ReadAsync(original, session, ct).ConfigureAwait(false);
            return;
        }

        var path = Path.Combine(_options.TempDirectory ?? Path.GetTempPath(), "mlops-upload-" + Guid.NewGuid().ToString("N") + ".parquet");
        await using var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await input.CopyToAsync(spool, ct).ConfigureAwait(false);
        if (spool.Length == 0)
        {
            return;
        }

        spool.Position = 0;
        await ParquetRowReader.ReadAsync(spool, session, ct).ConfigureAwait(false);
    }

    private static Stream Inner(ScanningStream s) => s.Inner;

    /// <summary>Turns what a parser threw on bad input into the rule it broke.</summary>
    private static void Classify(Exception e, IngestionSession session)
    {
        var encoding = e as BadEncodingException ?? e.InnerException as BadEncodingException;
        if (encoding is not null || e is DecoderFallbackException || e.InnerException is DecoderFallbackException)
        {
            var where = encoding is null ? "" : $" (byte {encoding.ByteOffset})";
            session.Fatal(DataRules.BadEncoding, $"The file is not UTF-8 text{where}: {(encoding?.Message.Contains("NUL", StringComparison.Ordinal) == true ? "it looks binary" : "re-save it as UTF-8")}.", session.RowCount + 1);
            return;
        }

        switch (e)
        {
            case WrongShapeException:
                return; // already recorded
            case UnsupportedColumnException u:
                session.Findings.Add(DataRules.WrongShape, u.Column, null, u.Message);
                session.Fatal(DataRules.WrongShape, "The Parquet file has columns of unsupported types.");
                return;
            case JsonException j:
                session.Fatal(DataRules.MalformedFile, $"The JSON is malformed or truncated near line {(j.LineNumber ?? 0) + 1}.", session.RowCount + 1);
                return;
            case CsvFormatException:
                session.Fatal(DataRules.MalformedFile, "The CSV could not be parsed (unbalanced quotes or a truncated record).", session.RowCount + 1);
                return;
            default:
                // Parquet.Net reports a bad magic number, a bad footer or a truncated column chunk with assorted exception types.
                session.Fatal(DataRules.MalformedFile, $"The file could not be read as its format: {e.GetType().Name}.", session.RowCount + 1);
                return;
        }
    }
}
