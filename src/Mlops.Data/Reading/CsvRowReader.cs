using CsvHelper;

namespace Mlops.Data.Reading;

/// <summary>
/// Reads CSV with CsvHelper's UTF-8 reader (RFC 4180 quoting, comma, any line ending) into the session, one record at a
/// time. Malformed records are reported with their row, never thrown.
/// </summary>
internal static class CsvRowReader
{
    /// <summary>A record longer than this (an unclosed quote, or a binary file without line breaks) stops the read.</summary>
    internal const int MaxRecordBytes = 16 * 1024 * 1024;

    public static async Task ReadAsync(ScanningStream input, IngestionSession session, CancellationToken ct)
    {
        var malformed = new List<CsvMalformedReason>();
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false, // the header is read as a record, so empty and duplicate names are ours to report
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = r => malformed.Add(r.Reason),
            MaxRecordSize = MaxRecordBytes,
            PoolStrings = true, // category values repeat: one string instance per distinct value
            IncludeValuesInExceptions = false,
        };

        await using var reader = CsvReader.Create(input, options, leaveOpen: true);
        Cell[] cells = [];
        var header = true;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var count = reader.FieldCount;
            if (count == 1 && string.IsNullOrWhiteSpace(reader.GetString(0)))
            {
                continue; // a blank line with stray spaces is no record
            }

            if (header)
            {
                header = false;
                var names = new string[count];
                for (var i = 0; i < count; i++)
                {
                    names[i] = reader.GetString(i);
                }

                if (names.Length > 0 && names[0].StartsWith('\uFEFF'))
                {
                    names[0] = names[0][1..];
                }

                session.SetColumns(names);
                cells = new Cell[count];
                ReportMalformed(session, malformed, 0);
                continue;
            }

            if (count != cells.Length)
            {
                session.AddRaggedRow(count);
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    cells[i] = Cell.FromText(reader.GetString(i));
                }

                session.AddRow(cells);
            }

            ReportMalformed(session, malformed, session.RowCount);
        }
    }

    private static void ReportMalformed(IngestionSession session, List<CsvMalformedReason> malformed, long row)
    {
        foreach (var reason in malformed)
        {
            var message = reason switch
            {
                CsvMalformedReason.UnterminatedQuote => "A quoted field is never closed: the file is truncated or a quote is missing.",
                CsvMalformedReason.FieldCountMismatch => "A record has a different number of fields than the header.",
                _ => "A field has a quote in the wrong place (quotes must wrap the whole field and be doubled inside it).",
            };
            session.Findings.Add(DataRules.MalformedFile, null, row == 0 ? null : row, message);
        }

        malformed.Clear();
    }
}
