namespace Mlops.Data.Reading;

/// <summary>What a cell holds as it comes out of a reader.</summary>
internal enum CellType : byte
{
    /// <summary>No value (JSON null or absent key, Parquet null).</summary>
    Missing,
    /// <summary>Text to interpret (CSV fields, JSON strings, Parquet strings and dates).</summary>
    Text,
    /// <summary>A typed number (JSON number, Parquet numeric); <see cref="Cell.Text"/> is its original text when there was one.</summary>
    Number,
    /// <summary>A typed boolean (JSON true/false, Parquet boolean).</summary>
    Boolean,
}

/// <summary>One cell, without allocating for typed values. Readers fill a reused array of these per row.</summary>
internal readonly struct Cell
{
    private Cell(CellType type, string? text, double number)
    {
        Type = type;
        Text = text;
        Number = number;
    }

    public CellType Type { get; }

    public string? Text { get; }

    public double Number { get; }

    public static Cell Missing => default;

    public static Cell FromText(string? text) => text is null ? default : new(CellType.Text, text, 0);

    public static Cell FromNumber(double value, string? originalText = null) => new(CellType.Number, originalText, value);

    public static Cell FromBoolean(bool value) => new(CellType.Boolean, null, value ? 1 : 0);
}
