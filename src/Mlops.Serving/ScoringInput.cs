using System.Text.Json;

namespace Mlops.Serving;

/// <summary>The request shape a body used.</summary>
public enum ScoringShape
{
    /// <summary><c>instances</c>: a list of row objects (TensorFlow Serving / MLflow).</summary>
    Instances,
    /// <summary><c>inputs</c>: an object of column → list, or a list of row objects (MLflow).</summary>
    Inputs,
    /// <summary><c>dataframe_records</c>: a list of row objects (pandas <c>orient="records"</c>).</summary>
    DataframeRecords,
    /// <summary><c>dataframe_split</c>: <c>{"columns": [...], "data": [[...], ...]}</c> (pandas <c>orient="split"</c>).</summary>
    DataframeSplit,
    /// <summary>Open Inference Protocol (KServe V2) input tensors.</summary>
    InferenceTensors,
}

/// <summary>
/// A parsed predict request: either rows (column → value per row) or columns (column → one value per row), whichever
/// the body carried, so nothing is transposed on the hot path. Values are the request's own JSON elements.
/// </summary>
public sealed class ScoringInput
{
    private ScoringInput(ScoringShape shape, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? rows,
        IReadOnlyDictionary<string, IReadOnlyList<JsonElement>>? columns, int rowCount, IReadOnlyList<string> warnings)
    {
        Shape = shape;
        Rows = rows;
        Columns = columns;
        RowCount = rowCount;
        Warnings = warnings;
    }

    /// <summary>The shape the body used.</summary>
    public ScoringShape Shape { get; }

    /// <summary>Rows, when the body was row-wise; else null.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? Rows { get; }

    /// <summary>Columns, when the body was column-wise; else null.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>>? Columns { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Notes for the caller about ignored parts of the body (never values).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>A row-wise input.</summary>
    public static ScoringInput FromRows(ScoringShape shape, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> rows, IReadOnlyList<string>? warnings = null) =>
        new(shape, rows ?? throw new ArgumentNullException(nameof(rows)), null, rows.Count, warnings ?? []);

    /// <summary>A column-wise input; every column must hold <paramref name="rowCount"/> values.</summary>
    public static ScoringInput FromColumns(ScoringShape shape, IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> columns, int rowCount, IReadOnlyList<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Values.Any(c => c.Count != rowCount))
        {
            throw new ArgumentException("Every column must hold one value per row.", nameof(columns));
        }

        return new(shape, null, columns, rowCount, warnings ?? []);
    }

    /// <summary>Row <paramref name="index"/> as column → value (built on demand for column-wise inputs; used for logging).</summary>
    public IReadOnlyDictionary<string, JsonElement> RowAt(int index)
    {
        if (Rows is not null)
        {
            return Rows[index];
        }

        var row = new Dictionary<string, JsonElement>(Columns!.Count, StringComparer.Ordinal);
        foreach (var (name, values) in Columns)
        {
            row[name] = values[index];
        }

        return row;
    }
}
