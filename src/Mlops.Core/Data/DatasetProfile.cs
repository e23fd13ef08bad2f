namespace Mlops.Core.Data;

/// <summary>
/// The statistical fingerprint of a dataset version (stored as <c>profile.json</c> beside the data). It is the
/// reference that drift checks compare serving inputs with, so it is a wire contract: add fields, never rename.
/// </summary>
public sealed record DatasetProfile
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Rows in the dataset.</summary>
    public required long RowCount { get; init; }

    /// <summary>One entry per column, in file order.</summary>
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }

    /// <summary>The profile of column <paramref name="name"/>, or null.</summary>
    public ColumnProfile? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>The profile of one column: exactly one of <see cref="Numeric"/> and <see cref="Categorical"/> is set for numeric and categorical/boolean columns.</summary>
public sealed record ColumnProfile
{
    /// <summary>Column header.</summary>
    public required string Name { get; init; }

    /// <summary>Kind of values.</summary>
    public required ColumnKind Kind { get; init; }

    /// <summary>Values present (not missing).</summary>
    public required long Count { get; init; }

    /// <summary>Values missing.</summary>
    public required long Nulls { get; init; }

    /// <summary>Summary of a numeric column.</summary>
    public NumericProfile? Numeric { get; init; }

    /// <summary>Frequencies of a categorical or boolean column.</summary>
    public CategoricalProfile? Categorical { get; init; }
}

/// <summary>Summary statistics of a numeric column, plus what PSI and KS need as a reference.</summary>
public sealed record NumericProfile
{
    /// <summary>Smallest value.</summary>
    public required double Min { get; init; }

    /// <summary>Largest value.</summary>
    public required double Max { get; init; }

    /// <summary>Arithmetic mean.</summary>
    public required double Mean { get; init; }

    /// <summary>Sample standard deviation (n − 1).</summary>
    public required double Std { get; init; }

    /// <summary>
    /// Inner edges of the reference quantile bins for PSI, ascending and distinct. Bin i holds values in
    /// (edge[i−1], edge[i]]; the first bin is (−∞, edge[0]], the last (edge[^1], +∞).
    /// </summary>
    public required IReadOnlyList<double> BinEdges { get; init; }

    /// <summary>Fraction of reference values in each bin (BinEdges.Count + 1 entries, summing to 1).</summary>
    public required IReadOnlyList<double> BinFractions { get; init; }

    /// <summary>
    /// A uniform random sample of the values (reservoir, fixed seed, at most <c>SampleCapacity</c> values), sorted
    /// ascending: the reference for the two-sample KS test and Wasserstein distance.
    /// </summary>
    public required IReadOnlyList<double> Sample { get; init; }
}

/// <summary>Frequencies of a categorical column: the top-K values and the rest lumped as "other".</summary>
public sealed record CategoricalProfile
{
    /// <summary>Distinct values seen (exact up to the tracking limit, else a lower bound).</summary>
    public required long Distinct { get; init; }

    /// <summary>Count per value for the most frequent values, most frequent first.</summary>
    public required IReadOnlyDictionary<string, long> TopCounts { get; init; }

    /// <summary>Count of values outside <see cref="TopCounts"/>.</summary>
    public required long OtherCount { get; init; }
}
