namespace Mlops.Monitoring;

/// <summary>
/// A drift window's accumulated counts, as JSON (camelCase via <see cref="MonitoringJson.Options"/>), so a timer can
/// save a partly read log and resume, or several workers can each count some log blobs and merge. It holds counts
/// only; the reference profile is supplied again on resume and checked against <see cref="ReferenceFingerprint"/>.
/// </summary>
public sealed record DriftWindowState
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>SHA-256 of the reference profile parts and feature list the counts were made against.</summary>
    public required string ReferenceFingerprint { get; init; }

    /// <summary>Per numeric feature, by name.</summary>
    public required IReadOnlyDictionary<string, NumericState> Numeric { get; init; }

    /// <summary>Per categorical feature, by name.</summary>
    public required IReadOnlyDictionary<string, CategoricalState> Categorical { get; init; }
}

/// <summary>The saved state of one numeric feature (see the README for what each array counts).</summary>
public sealed record NumericState
{
    /// <summary>Finite values counted.</summary>
    public required long Count { get; init; }

    /// <summary>Missing or non-numeric values.</summary>
    public required long Missing { get; init; }

    /// <summary>Running mean.</summary>
    public required double Mean { get; init; }

    /// <summary>Running sum of squared deviations (Welford).</summary>
    public required double M2 { get; init; }

    /// <summary>Smallest value, null when none.</summary>
    public double? Min { get; init; }

    /// <summary>Largest value, null when none.</summary>
    public double? Max { get; init; }

    /// <summary>Values equal to each grid point.</summary>
    public required long[] PointCounts { get; init; }

    /// <summary>Values strictly inside each open cell (grid points + 1 cells).</summary>
    public required long[] CellCounts { get; init; }

    /// <summary>Per cell, the summed distance of its values to the cell's upper grid point (the last cell: to the last grid point).</summary>
    public required double[] CellDistances { get; init; }

    /// <summary>The reservoir sample of the window.</summary>
    public required double[] Reservoir { get; init; }

    /// <summary>The reservoir's random generator state, so a resumed window samples as if it never stopped.</summary>
    public required ulong RandomState { get; init; }
}

/// <summary>The saved state of one categorical feature.</summary>
public sealed record CategoricalState
{
    /// <summary>Values counted (not missing).</summary>
    public required long Count { get; init; }

    /// <summary>Missing values.</summary>
    public required long Missing { get; init; }

    /// <summary>Count per reference category, in the profile's order.</summary>
    public required long[] Counts { get; init; }

    /// <summary>Values outside the reference categories.</summary>
    public required long OutsideCount { get; init; }

    /// <summary>The most frequent of those values by name (bounded).</summary>
    public required IReadOnlyDictionary<string, long> OutsideNames { get; init; }
}
