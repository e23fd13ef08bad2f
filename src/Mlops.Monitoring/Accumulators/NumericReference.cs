using Mlops.Core.Data;

namespace Mlops.Monitoring.Accumulators;

/// <summary>
/// What a numeric feature's window is counted against, precomputed once from the training profile: a fine grid of
/// the reference sample's distinct values merged with the PSI bin edges. Every open cell between two grid points
/// lies inside one PSI bin and inside one step of the reference ECDF, so counts per grid point and per open cell
/// are enough for exact PSI bin counts and an exact KS statistic, however many values the window holds.
/// </summary>
internal sealed class NumericReference
{
    public NumericReference(string name, ColumnProfile column, NumericProfile profile)
    {
        Name = name;
        Profile = profile;
        ReferenceCount = column.Count;
        if (profile.BinFractions.Count != profile.BinEdges.Count + 1)
        {
            throw new ArgumentException($"Feature '{name}': the profile has {profile.BinEdges.Count} bin edges but {profile.BinFractions.Count} bin fractions (expected edges + 1).", nameof(profile));
        }

        Sample = profile.Sample.Where(double.IsFinite).Order().ToArray();
        var edges = profile.BinEdges.Where(double.IsFinite).ToArray();
        Grid = Sample.Concat(edges).Distinct().Order().ToArray();

        // F_ref(grid[k]) = #(sample ≤ grid[k]) / n, and the PSI bin of grid point k and of the open cell just below it.
        ReferenceCdf = new double[Grid.Length];
        BinOfCell = new int[Grid.Length + 1];
        int s = 0, e = 0;
        for (var k = 0; k < Grid.Length; k++)
        {
            while (s < Sample.Length && Sample[s] <= Grid[k])
            {
                s++;
            }

            while (e < profile.BinEdges.Count && profile.BinEdges[e] < Grid[k])
            {
                e++;
            }

            ReferenceCdf[k] = Sample.Length == 0 ? 0 : (double)s / Sample.Length;
            BinOfCell[k] = e;
        }

        BinOfCell[Grid.Length] = profile.BinEdges.Count;
    }

    public string Name { get; }

    public NumericProfile Profile { get; }

    /// <summary>Values present in the reference column (the PSI reference n).</summary>
    public long ReferenceCount { get; }

    /// <summary>The reference sample, finite values, sorted (the KS and Wasserstein reference).</summary>
    public double[] Sample { get; }

    /// <summary>Sorted distinct grid points: sample values and bin edges.</summary>
    public double[] Grid { get; }

    /// <summary>Reference ECDF at each grid point.</summary>
    public double[] ReferenceCdf { get; }

    /// <summary>PSI bin of grid point k and of open cell k (the cell just below grid point k); entry Grid.Length is the cell above the last point.</summary>
    public int[] BinOfCell { get; }

    /// <summary>Index of the first grid point ≥ <paramref name="value"/> (Grid.Length when none), branch-light.</summary>
    public int LowerBound(double value)
    {
        var grid = Grid;
        var length = grid.Length;
        if (length == 0)
        {
            return 0;
        }

        var lo = 0;
        while (length > 1)
        {
            var half = length >> 1;
            lo = grid[lo + half - 1] < value ? lo + half : lo;
            length -= half;
        }

        return grid[lo] < value ? lo + 1 : lo;
    }
}
