using System.Text.Json.Serialization;

namespace Mlops.Core.Data;

/// <summary>How a column's values are understood.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))]
public enum ColumnKind
{
    /// <summary>Numbers (stored as double; missing = NaN).</summary>
    [JsonStringEnumMemberName("numeric")] Numeric,
    /// <summary>A small set of labels (stored as string; missing = null).</summary>
    [JsonStringEnumMemberName("categorical")] Categorical,
    /// <summary>true/false (missing = null).</summary>
    [JsonStringEnumMemberName("boolean")] Boolean,
    /// <summary>Dates and timestamps: ignored as features unless the spec names them.</summary>
    [JsonStringEnumMemberName("date")] Date,
    /// <summary>Free text (too many distinct values to be a category): ignored unless the spec names it.</summary>
    [JsonStringEnumMemberName("text")] Text,
}

/// <summary>One column of a dataset's schema.</summary>
/// <param name="Name">The header, exactly as in the file.</param>
/// <param name="Kind">How values are understood.</param>
/// <param name="Nullable">True when at least one value was missing.</param>
public sealed record ColumnSchema(string Name, ColumnKind Kind, bool Nullable);

/// <summary>The columns of a dataset version, in file order. Stored with every version; a wire contract.</summary>
public sealed record DatasetSchema(IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}
