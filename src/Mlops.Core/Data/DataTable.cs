namespace Mlops.Core.Data;

/// <summary>
/// An in-memory, column-oriented table of typed values: what training and evaluation consume after a
/// dataset was read and validated. Numeric missing values are NaN; categorical and boolean missing values are null.
/// </summary>
public sealed class DataTable
{
    /// <summary>Creates a table; every column must have <paramref name="rowCount"/> values.</summary>
    public DataTable(IReadOnlyList<DataColumn> columns, int rowCount)
    {
        foreach (var c in columns)
        {
            if (c.Length != rowCount)
            {
                throw new ArgumentException($"Column '{c.Name}' has {c.Length} values, expected {rowCount}.", nameof(columns));
            }
        }

        if (columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != columns.Count)
        {
            throw new ArgumentException("Column names must be unique.", nameof(columns));
        }

        Columns = columns;
        RowCount = rowCount;
    }

    /// <summary>The columns, in file order.</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The schema of this table.</summary>
    public DatasetSchema Schema => new(Columns.Select(c => new ColumnSchema(c.Name, c.Kind, c.HasMissing)).ToList());

    /// <summary>The column named <paramref name="name"/>; throws when absent.</summary>
    public DataColumn this[string name] =>
        Columns.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"No column named '{name}'.");

    /// <summary>True when a column named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => Columns.Any(c => c.Name == name);

    /// <summary>A new table with the rows at <paramref name="rows"/>, in that order.</summary>
    public DataTable SelectRows(IReadOnlyList<int> rows) => new(Columns.Select(c => c.Select(rows)).ToList(), rows.Count);
}

/// <summary>A named, typed column of a <see cref="DataTable"/>.</summary>
public abstract class DataColumn(string name)
{
    /// <summary>The header.</summary>
    public string Name { get; } = name;

    /// <summary>The value kind.</summary>
    public abstract ColumnKind Kind { get; }

    /// <summary>Number of values.</summary>
    public abstract int Length { get; }

    /// <summary>True when at least one value is missing.</summary>
    public abstract bool HasMissing { get; }

    /// <summary>A new column of the values at <paramref name="rows"/>.</summary>
    public abstract DataColumn Select(IReadOnlyList<int> rows);
}

/// <summary>Numbers; NaN marks a missing value.</summary>
public sealed class NumericColumn(string name, double[] values) : DataColumn(name)
{
    /// <summary>The values.</summary>
    public double[] Values { get; } = values;

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Numeric;

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <inheritdoc />
    public override bool HasMissing => Values.Any(double.IsNaN);

    /// <inheritdoc />
    public override DataColumn Select(IReadOnlyList<int> rows) => new NumericColumn(Name, rows.Select(i => Values[i]).ToArray());
}

/// <summary>Labels (also dates and text, kept as strings); null marks a missing value.</summary>
public sealed class StringColumn(string name, string?[] values, ColumnKind kind = ColumnKind.Categorical) : DataColumn(name)
{
    /// <summary>The values.</summary>
    public string?[] Values { get; } = values;

    /// <inheritdoc />
    public override ColumnKind Kind { get; } = kind is ColumnKind.Categorical or ColumnKind.Date or ColumnKind.Text
        ? kind
        : throw new ArgumentException("A string column is categorical, date or text.", nameof(kind));

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <inheritdoc />
    public override bool HasMissing => Values.Any(v => v is null);

    /// <inheritdoc />
    public override DataColumn Select(IReadOnlyList<int> rows) => new StringColumn(Name, rows.Select(i => Values[i]).ToArray(), Kind);
}

/// <summary>true/false; null marks a missing value.</summary>
public sealed class BooleanColumn(string name, bool?[] values) : DataColumn(name)
{
    /// <summary>The values.</summary>
    public bool?[] Values { get; } = values;

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Boolean;

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <inheritdoc />
    public override bool HasMissing => Values.Any(v => v is null);

    /// <inheritdoc />
    public override DataColumn Select(IReadOnlyList<int> rows) => new BooleanColumn(Name, rows.Select(i => Values[i]).ToArray());
}
