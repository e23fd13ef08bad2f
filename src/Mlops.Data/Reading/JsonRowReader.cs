using System.Text.Json;

namespace Mlops.Data.Reading;

/// <summary>
/// Reads JSON rows: a top-level array of flat objects (streamed element by element) or JSON Lines. The first object's
/// keys, in order, are the columns; later objects may omit keys (missing values) but not add new ones.
/// </summary>
internal static class JsonRowReader
{
    private static readonly JsonSerializerOptions ArrayOptions = new() { AllowTrailingCommas = false, MaxDepth = 64 };

    public static async Task ReadArrayAsync(ScanningStream input, IngestionSession session, CancellationToken ct)
    {
        var rows = new RowBuilder(session);
        await foreach (var element in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(input, ArrayOptions, ct).ConfigureAwait(false))
        {
            rows.Add(element);
        }

        if (!rows.HeaderSeen)
        {
            session.Findings.Add(DataRules.EmptyFile, null, null, "The JSON array has no rows.");
        }
    }

    public static async Task ReadLinesAsync(ScanningStream input, IngestionSession session, CancellationToken ct)
    {
        var rows = new RowBuilder(session);
        using var text = new StreamReader(input, ScanningStream.StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        long line = 0;
        while (await text.ReadLineAsync(ct).ConfigureAwait(false) is { } content)
        {
            line++;
            if (string.IsNullOrWhiteSpace(content))
            {
                continue;
            }

            if (line == 1 && content.StartsWith('\uFEFF'))
            {
                content = content[1..];
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(content);
            }
            catch (JsonException e)
            {
                throw new JsonException($"Line {line} is not valid JSON: {e.Message}", e);
            }

            using (document)
            {
                rows.Add(document.RootElement);
            }
        }

        if (!rows.HeaderSeen)
        {
            session.Findings.Add(DataRules.EmptyFile, null, null, "The JSON Lines file has no rows.");
        }
    }

    /// <summary>Turns objects into cells, mapping keys to the first object's columns.</summary>
    private sealed class RowBuilder(IngestionSession session)
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private Cell[] _cells = [];

        public bool HeaderSeen { get; private set; }

        public void Add(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                if (!HeaderSeen)
                {
                    // Without a first object there are no columns: the whole document has the wrong shape.
                    session.Fatal(DataRules.WrongShape, $"A dataset in JSON is an array of objects (one per row) or JSON Lines of objects; the first row is {Describe(element.ValueKind)}.", 1);
                    throw new WrongShapeException();
                }

                session.AddWrongShapeRow(null, "Every row must be a JSON object; the listed rows are not.");
                return;
            }

            if (!HeaderSeen)
            {
                var names = new List<string>();
                foreach (var p in element.EnumerateObject())
                {
                    if (_index.TryAdd(p.Name, names.Count))
                    {
                        names.Add(p.Name);
                    }
                    else
                    {
                        // Keep the duplicate as a column so the report names it.
                        names.Add(p.Name);
                    }
                }

                session.SetColumns(names);
                _cells = new Cell[names.Count];
                HeaderSeen = true;
            }

            Array.Clear(_cells);
            foreach (var p in element.EnumerateObject())
            {
                if (!_index.TryGetValue(p.Name, out var i))
                {
                    session.AddRowWithUnknownKey(p.Name);
                    return;
                }

                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.Null or JsonValueKind.Undefined:
                        _cells[i] = Cell.Missing;
                        break;
                    case JsonValueKind.String:
                        _cells[i] = Cell.FromText(p.Value.GetString());
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        _cells[i] = Cell.FromBoolean(p.Value.ValueKind == JsonValueKind.True);
                        break;
                    case JsonValueKind.Number:
                        var raw = p.Value.GetRawText();
                        _cells[i] = ValueSyntax.TryParseNumber(raw, out var number) ? Cell.FromNumber(number, raw) : Cell.FromText(raw);
                        break;
                    default:
                        session.AddWrongShapeRow(p.Name, $"Cells must be strings, numbers, booleans or null; column '{p.Name}' holds {Describe(p.Value.ValueKind)} (nested values are not supported) in the listed rows.");
                        return;
                }
            }

            session.AddRow(_cells);
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
    }
}

/// <summary>The document's shape is wrong from the start; the finding is already recorded.</summary>
internal sealed class WrongShapeException() : Exception("The document is not an array of objects.");
