using System.Text.Json;
using Mlops.Core.Errors;

namespace Mlops.Serving;

/// <summary>
/// Reads a predict body in the MLflow scoring shapes: exactly one of <c>instances</c> (rows), <c>inputs</c> (column →
/// list, or rows), <c>dataframe_records</c> (rows) or <c>dataframe_split</c> (<c>{"columns", "data", "index"?}</c>),
/// optionally wrapped in <c>{"input_data": ...}</c> as Azure ML endpoints send it (there <c>input_data</c> may also be
/// the split object or the row list itself). Errors are <see cref="MlopsException"/> InvalidInput naming the field
/// (<c>$</c> for the body, <c>instances[3]</c>, <c>dataframe_split.data[2]</c>, ...) and the rule (<c>json</c>,
/// <c>one-of</c>, <c>type</c>, <c>shape</c>, <c>not-empty</c>, <c>duplicate</c>, <c>max-batch</c>); an oversized body is
/// <c>TooLarge</c>. Messages never echo submitted values.
/// </summary>
public sealed class ScoringRequestParser
{
    /// <summary>The four body shapes, in the order errors list them.</summary>
    public static readonly IReadOnlyList<string> ShapeFields = ["instances", "inputs", "dataframe_records", "dataframe_split"];

    private const string AzureWrapper = "input_data";
    private const int MaxViolations = 20;

    // MLflow 2.x sends inference parameters beside the data; they are not ours to use, but they are not an error.
    private static readonly HashSet<string> KnownExtras = new(StringComparer.Ordinal) { "params" };

    private readonly ServingOptions _options;

    /// <summary>Creates a parser with the given limits.</summary>
    public ScoringRequestParser(ServingOptions? options = null) => _options = options ?? new ServingOptions();

    /// <summary>Parses UTF-8 JSON bytes: size limit (<c>TooLarge</c>), JSON syntax (rule <c>json</c>), then the shape.</summary>
    public ScoringInput Parse(ReadOnlyMemory<byte> utf8Body) => Parse(ParseJson(utf8Body, _options.MaxBodyBytes));

    /// <summary>Parses an already-read JSON body.</summary>
    public ScoringInput Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid("$", "type", "The body must be a JSON object holding one of 'instances', 'inputs', 'dataframe_records' or 'dataframe_split'.");
        }

        var warnings = new List<string>();
        if (body.TryGetProperty(AzureWrapper, out var wrapped))
        {
            var siblings = ShapeFields.Where(f => body.TryGetProperty(f, out _)).ToList();
            if (siblings.Count > 0)
            {
                throw MlopsException.Invalid("$", "one-of", $"The body holds both '{AzureWrapper}' and '{siblings[0]}'; send the data once.");
            }

            WarnAboutExtras(body, warnings, [AzureWrapper], "");
            return ParseWrapped(wrapped, warnings);
        }

        return ParseShapes(body, "", warnings);
    }

    /// <summary>Reads JSON bytes into an element, enforcing <paramref name="maxBytes"/>; shared with the Open Inference Protocol reader.</summary>
    internal static JsonElement ParseJson(ReadOnlyMemory<byte> utf8Body, long maxBytes)
    {
        if (utf8Body.Length > maxBytes)
        {
            throw new MlopsException(ErrorCode.TooLarge, $"The body has {utf8Body.Length} bytes; at most {maxBytes} are accepted. Split the rows into smaller requests.",
                [new RuleViolation("$", "max-bytes", $"The body may hold at most {maxBytes} bytes.")]);
        }

        if (utf8Body.IsEmpty)
        {
            throw MlopsException.Invalid("$", "required", "The body is empty; send a JSON object.");
        }

        try
        {
            var reader = new Utf8JsonReader(utf8Body.Span, new JsonReaderOptions { MaxDepth = 64 });
            var element = JsonElement.ParseValue(ref reader);
            // ParseValue stops after one value: anything but whitespace after it is not JSON either.
            if (reader.Read())
            {
                throw new JsonException("Trailing content after the JSON value.", null, reader.CurrentDepth, reader.BytesConsumed);
            }

            return element;
        }
        catch (JsonException e)
        {
            // The position helps; the parser's own message may quote the offending text, so it is not passed on.
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {(e.BytePositionInLine ?? 0) + 1})" : "";
            throw MlopsException.Invalid("$", "json", $"The body is not valid JSON{where}.");
        }
    }

    private ScoringInput ParseWrapped(JsonElement wrapped, List<string> warnings)
    {
        switch (wrapped.ValueKind)
        {
            case JsonValueKind.Array:
                return ScoringInput.FromRows(ScoringShape.DataframeRecords, ReadRecords(wrapped, AzureWrapper), warnings);
            case JsonValueKind.Object when ShapeFields.Any(f => wrapped.TryGetProperty(f, out _)):
                return ParseShapes(wrapped, AzureWrapper + ".", warnings);
            case JsonValueKind.Object when wrapped.TryGetProperty("data", out _):
                return ReadSplit(wrapped, AzureWrapper, warnings);
            default:
                throw MlopsException.Invalid(AzureWrapper, "type",
                    $"'{AzureWrapper}' must hold one of 'instances', 'inputs', 'dataframe_records', 'dataframe_split', a split object with 'columns' and 'data', or a list of row objects.");
        }
    }

    private ScoringInput ParseShapes(JsonElement body, string prefix, List<string> warnings)
    {
        var present = ShapeFields.Where(f => body.TryGetProperty(f, out _)).ToList();
        if (present.Count != 1)
        {
            var found = present.Count == 0 ? "none" : string.Join(" and ", present.Select(p => $"'{p}'"));
            throw MlopsException.Invalid(prefix.Length == 0 ? "$" : prefix.TrimEnd('.'), "one-of",
                $"The body must hold exactly one of 'instances', 'inputs', 'dataframe_records', 'dataframe_split' (optionally inside '{AzureWrapper}'); it holds {found}.");
        }

        var name = present[0];
        WarnAboutExtras(body, warnings, [name], prefix);
        var value = body.GetProperty(name);
        var field = prefix + name;
        return name switch
        {
            "instances" => ScoringInput.FromRows(ScoringShape.Instances, ReadRecords(value, field), warnings),
            "dataframe_records" => ScoringInput.FromRows(ScoringShape.DataframeRecords, ReadRecords(value, field), warnings),
            "dataframe_split" => ReadSplit(value, field, warnings),
            _ => value.ValueKind == JsonValueKind.Array
                ? ScoringInput.FromRows(ScoringShape.Inputs, ReadRecords(value, field), warnings)
                : ReadColumns(value, field, warnings),
        };
    }

    private static void WarnAboutExtras(JsonElement body, List<string> warnings, string[] used, string prefix)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!used.Contains(property.Name, StringComparer.Ordinal) && !KnownExtras.Contains(property.Name))
            {
                warnings.Add($"Field '{prefix}{Shorten(property.Name)}' is not part of the request shape and was ignored.");
            }
        }
    }

    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> ReadRecords(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid(field, "type", $"'{field}' must be a list of row objects (column → value).");
        }

        var count = CheckRowCount(value.GetArrayLength(), field);
        var rows = new IReadOnlyDictionary<string, JsonElement>[count];
        var violations = new List<RuleViolation>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var rowField = $"{field}[{i}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Add(violations, rowField, "type", $"'{rowField}' must be an object of column → value.");
                rows[i++] = new Dictionary<string, JsonElement>();
                continue;
            }

            var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in item.EnumerateObject())
            {
                if (!row.TryAdd(property.Name, property.Value))
                {
                    Add(violations, $"{rowField}.{Shorten(property.Name)}", "duplicate", $"Row {i} names column '{Shorten(property.Name)}' twice.");
                }
            }

            rows[i++] = row;
            if (violations.Count >= MaxViolations)
            {
                break;
            }
        }

        ThrowIfAny(violations);
        return rows;
    }

    private ScoringInput ReadColumns(JsonElement value, string field, List<string> warnings)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid(field, "type", $"'{field}' must be an object of column → list of values, or a list of row objects.");
        }

        var columns = new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal);
        var violations = new List<RuleViolation>();
        int? rowCount = null;
        foreach (var property in value.EnumerateObject())
        {
            var columnField = $"{field}.{Shorten(property.Name)}";
            if (property.Value.ValueKind != JsonValueKind.Array)
            {
                Add(violations, columnField, "type", $"'{columnField}' must be a list with one value per row.");
                continue;
            }

            var values = property.Value.EnumerateArray().ToArray();
            rowCount ??= CheckRowCount(values.Length, field);
            if (values.Length != rowCount)
            {
                Add(violations, columnField, "shape", $"'{columnField}' has {values.Length} values but the first column has {rowCount}; every column needs one value per row.");
            }
            else if (!columns.TryAdd(property.Name, values))
            {
                Add(violations, columnField, "duplicate", $"Column '{Shorten(property.Name)}' appears twice.");
            }
        }

        ThrowIfAny(violations);
        if (rowCount is null)
        {
            throw MlopsException.Invalid(field, "not-empty", $"'{field}' holds no columns.");
        }

        return ScoringInput.FromColumns(ScoringShape.Inputs, columns, rowCount.Value, warnings);
    }

    private ScoringInput ReadSplit(JsonElement value, string field, List<string> warnings)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid(field, "type", $"'{field}' must be an object {{\"columns\": [...], \"data\": [[...], ...]}}.");
        }

        if (!value.TryGetProperty("columns", out var columnsElement) || columnsElement.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid(field + ".columns", columnsElement.ValueKind == JsonValueKind.Undefined ? "required" : "type",
                $"'{field}.columns' must be a list of column names.");
        }

        if (!value.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid(field + ".data", data.ValueKind == JsonValueKind.Undefined ? "required" : "type",
                $"'{field}.data' must be a list of rows, each a list of values in column order.");
        }

        var names = new List<string>();
        var violations = new List<RuleViolation>();
        var c = 0;
        foreach (var name in columnsElement.EnumerateArray())
        {
            if (name.ValueKind != JsonValueKind.String)
            {
                Add(violations, $"{field}.columns[{c}]", "type", $"'{field}.columns[{c}]' must be a string.");
            }
            else if (names.Contains(name.GetString()!, StringComparer.Ordinal))
            {
                Add(violations, $"{field}.columns[{c}]", "duplicate", $"Column '{Shorten(name.GetString()!)}' is listed twice.");
            }
            else
            {
                names.Add(name.GetString()!);
            }

            c++;
        }

        ThrowIfAny(violations);
        if (names.Count == 0)
        {
            throw MlopsException.Invalid(field + ".columns", "not-empty", $"'{field}.columns' lists no column.");
        }

        var rowCount = CheckRowCount(data.GetArrayLength(), field + ".data");
        if (value.TryGetProperty("index", out var index) && (index.ValueKind != JsonValueKind.Array || index.GetArrayLength() != rowCount))
        {
            throw MlopsException.Invalid(field + ".index", index.ValueKind == JsonValueKind.Array ? "shape" : "type",
                $"'{field}.index', when given, must be a list with one entry per row of '{field}.data'.");
        }

        var columns = names.Select(_ => new JsonElement[rowCount]).ToArray();
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != names.Count)
            {
                Add(violations, $"{field}.data[{r}]", row.ValueKind == JsonValueKind.Array ? "shape" : "type",
                    $"'{field}.data[{r}]' must be a list of {names.Count} values, one per column.");
                if (violations.Count >= MaxViolations)
                {
                    break;
                }

                r++;
                continue;
            }

            var k = 0;
            foreach (var cell in row.EnumerateArray())
            {
                columns[k++][r] = cell;
            }

            r++;
        }

        ThrowIfAny(violations);
        var byName = new Dictionary<string, IReadOnlyList<JsonElement>>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            byName[names[i]] = columns[i];
        }

        return ScoringInput.FromColumns(ScoringShape.DataframeSplit, byName, rowCount, warnings);
    }

    private int CheckRowCount(int count, string field)
    {
        if (count == 0)
        {
            throw MlopsException.Invalid(field, "not-empty", $"'{field}' holds no rows; send at least one.");
        }

        if (count > _options.MaxBatchRows)
        {
            throw MlopsException.Invalid(field, "max-batch", $"'{field}' holds {count} rows; at most {_options.MaxBatchRows} are accepted per request. Split it into smaller batches.");
        }

        return count;
    }

    private static void Add(List<RuleViolation> violations, string field, string rule, string message)
    {
        if (violations.Count < MaxViolations)
        {
            violations.Add(new RuleViolation(field, rule, message));
        }
    }

    private static void ThrowIfAny(List<RuleViolation> violations)
    {
        if (violations.Count > 0)
        {
            throw MlopsException.Invalid(violations);
        }
    }

    // Column names come from the caller: keep them short in messages so an error never carries a payload.
    internal static string Shorten(string name) => name.Length <= 64 ? name : name[..61] + "...";
}
