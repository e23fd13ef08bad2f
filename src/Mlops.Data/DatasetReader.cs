using System.Text.Json;
using CsvHelper;
using Mlops.Core.Data;
using Mlops.Core.Errors;

namespace Mlops.Data;

/// <summary>
/// Loads data into a typed <see cref="DataTable"/>: a stored canonical CSV version (for training), or JSON rows (for a
/// request body). Values are read with <see cref="ValueSyntax"/>, the same rules ingestion inferred the schema with.
/// </summary>
public static class DatasetReader
{
    /// <summary>
    /// Reads a canonical CSV (as written by <see cref="DatasetIngestor"/>) into a table with the columns of
    /// <paramref name="schema"/>, in schema order; columns of the file that the schema lacks are skipped.
    /// </summary>
    /// <exception cref="MlopsException">InvalidInput when a schema column is absent or a value does not fit its kind (field = column, rule = missing-column / type).</exception>
    public static async Task<DataTable> ReadCanonicalCsvAsync(Stream canonicalCsv, DatasetSchema schema, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canonicalCsv);
        ArgumentNullException.ThrowIfNull(schema);

        var options = new CsvReaderOptions { Separator = ',', HasHeader = false, SkipEmptyLines = true, PoolStrings = true, IncludeValuesInExceptions = false };
        await using var reader = CsvReader.Create(canonicalCsv, options, leaveOpen: true);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw MlopsException.Invalid("file", DataRules.EmptyFile, "The stored dataset has no header.");
        }

        var header = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            header.TryAdd(reader.GetString(i), i);
        }

        var builders = schema.Columns.Select(c => header.TryGetValue(c.Name, out var index)
            ? ColumnBuilder.For(c, index)
            : throw MlopsException.Invalid(c.Name, DataRules.MissingColumn, $"Column '{c.Name}' of the schema is not in the stored dataset.")).ToList();

        var width = header.Count;
        var row = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            row++;
            if (reader.FieldCount < width)
            {
                throw MlopsException.Invalid("file", DataRules.RaggedRow, $"Row {row} of the stored dataset has {reader.FieldCount} fields, expected {width}.");
            }

            foreach (var b in builders)
            {
                b.AddText(reader.GetString(b.Index), row);
            }
        }

        return new DataTable(builders.Select(b => b.Build()).ToList(), row);
    }

    /// <summary>
    /// Reads JSON rows (an array of flat objects) into a table with the columns of <paramref name="schema"/>. Absent keys
    /// and nulls are missing values; JSON numbers and numeric strings fill numeric columns; extra keys are ignored.
    /// </summary>
    /// <exception cref="MlopsException">InvalidInput naming each bad field: not an array of objects, a schema column absent from every row, or a value of the wrong type.</exception>
    public static DataTable ReadRows(JsonElement rows, DatasetSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (rows.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid("rows", "type", "Rows must be a JSON array of objects.");
        }

        var builders = schema.Columns.Select((c, i) => ColumnBuilder.For(c, i)).ToList();
        var seen = new bool[builders.Count];
        var violations = new List<Core.Errors.RuleViolation>();
        var row = 0;
        foreach (var element in rows.EnumerateArray())
        {
            row++;
            if (element.ValueKind != JsonValueKind.Object)
            {
                violations.Add(new Core.Errors.RuleViolation($"[{row - 1}]", "type", $"Row {row} is not a JSON object."));
                continue;
            }

            for (var i = 0; i < builders.Count; i++)
            {
                var b = builders[i];
                if (!element.TryGetProperty(b.Name, out var value))
                {
                    b.AddMissing();
                    continue;
                }

                seen[i] = true;
                if (b.AddJson(value, row) is { } error && violations.Count < 20)
                {
                    violations.Add(error);
                }
            }
        }

        for (var i = 0; i < builders.Count; i++)
        {
            if (!seen[i] && row > 0)
            {
                violations.Add(new Core.Errors.RuleViolation(builders[i].Name, DataRules.MissingColumn, $"Column '{builders[i].Name}' is in no row."));
            }
        }

        if (violations.Count > 0)
        {
            throw MlopsException.Invalid(violations);
        }

        return new DataTable(builders.Select(b => b.Build()).ToList(), row);
    }

    /// <summary>Collects one column's values, typed by its schema kind.</summary>
    private abstract class ColumnBuilder(ColumnSchema column, int index)
    {
        public string Name => column.Name;

        public int Index { get; } = index;

        protected ColumnSchema Column => column;

        public static ColumnBuilder For(ColumnSchema column, int index) => column.Kind switch
        {
            ColumnKind.Numeric => new NumericBuilder(column, index),
            ColumnKind.Boolean => new BooleanBuilder(column, index),
            _ => new StringBuilder(column, index),
        };

        public abstract void AddMissing();

        /// <summary>Adds cell text; throws <see cref="MlopsException"/> when it does not fit the kind (stored data was validated, so this means corruption).</summary>
        public void AddText(string text, int row)
        {
            if (ValueSyntax.IsMissing(text))
            {
                AddMissing();
            }
            else if (!TryAddText(text))
            {
                throw MlopsException.Invalid(Name, "type", $"Row {row} of column '{Name}' is not a valid {Column.Kind.ToString().ToLowerInvariant()} value.");
            }
        }

        public Core.Errors.RuleViolation? AddJson(JsonElement value, int row)
        {
            var ok = value.ValueKind switch
            {
                JsonValueKind.Null => Missing(),
                JsonValueKind.String => value.GetString() is var s && (ValueSyntax.IsMissing(s) ? Missing() : TryAddText(s!)),
                JsonValueKind.Number => TryAddNumber(value),
                JsonValueKind.True => TryAddBoolean(true),
                JsonValueKind.False => TryAddBoolean(false),
                _ => false,
            };
            if (ok)
            {
                return null;
            }

            AddMissing(); // keep the columns aligned while the other errors are collected
            return new Core.Errors.RuleViolation(Name, "type", $"Row {row}: column '{Name}' needs a {Column.Kind.ToString().ToLowerInvariant()} value.");
        }

        private bool Missing()
        {
            AddMissing();
            return true;
        }

        protected abstract bool TryAddText(string text);

        protected virtual bool TryAddNumber(JsonElement value) => TryAddText(value.GetRawText());

        protected virtual bool TryAddBoolean(bool value) => false;

        public abstract DataColumn Build();
    }

    private sealed class NumericBuilder(ColumnSchema column, int index) : ColumnBuilder(column, index)
    {
        private readonly List<double> _values = [];

        public override void AddMissing() => _values.Add(double.NaN);

        protected override bool TryAddText(string text)
        {
            if (!ValueSyntax.TryParseNumber(text, out var v))
            {
                return false;
            }

            _values.Add(v);
            return true;
        }

        protected override bool TryAddNumber(JsonElement value)
        {
            if (!value.TryGetDouble(out var v) || !double.IsFinite(v))
            {
                return false;
            }

            _values.Add(v);
            return true;
        }

        public override DataColumn Build() => new NumericColumn(Name, _values.ToArray());
    }

    private sealed class BooleanBuilder(ColumnSchema column, int index) : ColumnBuilder(column, index)
    {
        private readonly List<bool?> _values = [];

        public override void AddMissing() => _values.Add(null);

        protected override bool TryAddText(string text)
        {
            if (!ValueSyntax.TryParseBoolean(text, out var v))
            {
                return false;
            }

            _values.Add(v);
            return true;
        }

        protected override bool TryAddNumber(JsonElement value) => false;

        protected override bool TryAddBoolean(bool value)
        {
            _values.Add(value);
            return true;
        }

        public override DataColumn Build() => new BooleanColumn(Name, _values.ToArray());
    }

    private sealed class StringBuilder(ColumnSchema column, int index) : ColumnBuilder(column, index)
    {
        private readonly List<string?> _values = [];

        public override void AddMissing() => _values.Add(null);

        protected override bool TryAddText(string text)
        {
            _values.Add(text);
            return true;
        }

        protected override bool TryAddBoolean(bool value)
        {
            _values.Add(value ? "true" : "false");
            return true;
        }

        public override DataColumn Build() => new StringColumn(Name, _values.ToArray(), Column.Kind == ColumnKind.Boolean ? ColumnKind.Categorical : Column.Kind);
    }
}
