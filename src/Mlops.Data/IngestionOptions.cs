namespace Mlops.Data;

/// <summary>Limits and sizes for <see cref="DatasetIngestor"/>. The defaults are the platform's; tests may lower them.</summary>
public sealed record IngestionOptions
{
    /// <summary>A used column (target or feature) with a larger fraction of missing values is rejected (<c>null-fraction</c>).</summary>
    public double MaxNullFraction { get; init; } = 0.5;

    /// <summary>Fewer data rows than this is rejected (<c>too-few-rows</c>).</summary>
    public int MinRows { get; init; } = 10;

    /// <summary>How many row numbers each failed rule lists.</summary>
    public int MaxRowsPerFailure { get; init; } = 10;

    /// <summary>Reservoir size of the numeric sample kept for KS tests.</summary>
    public int SampleCapacity { get; init; } = 2_000;

    /// <summary>Seed of the reservoir sampler: the same data always gives the same sample.</summary>
    public int SampleSeed { get; init; } = 42;

    /// <summary>Number of reference quantile bins for PSI (at most; ties merge bins).</summary>
    public int QuantileBins { get; init; } = 10;

    /// <summary>Values kept per categorical profile; the rest are counted as "other".</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Categorical columns have at most this many distinct values; more makes a column free text.</summary>
    public int MaxCategories { get; init; } = 1_000;

    /// <summary>A column where at least this fraction of present values are numbers is numeric; the rest fail <c>unparseable-number</c>.</summary>
    public double MostlyNumericFraction { get; init; } = 0.95;

    /// <summary>Folder for the temporary copy a non-seekable Parquet stream needs (Parquet's index is at the end). Null: the system temp folder.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>The defaults.</summary>
    public static IngestionOptions Default { get; } = new();
}
