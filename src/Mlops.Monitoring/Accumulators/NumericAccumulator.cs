using Mlops.Monitoring.Statistics;

namespace Mlops.Monitoring.Accumulators;

/// <summary>
/// The streaming state of one numeric feature over a window, in memory bounded by the reference (grid of at most
/// ~2,000 points) and the reservoir capacity, whatever the number of values:
/// counts on each grid point and in each open cell between grid points (exact PSI counts and exact KS D against
/// the reference sample), the summed distance of each cell's values to the cell's upper edge (Wasserstein),
/// Welford count/mean/M2, min/max, and a uniform reservoir sample of the window (which holds every value while the
/// window is no larger than its capacity, making Wasserstein exact there too).
/// </summary>
internal sealed class NumericAccumulator
{
    private readonly NumericReference _reference;
    private readonly long[] _pointCounts;
    private readonly long[] _cellCounts;
    private readonly double[] _cellDistances;
    private readonly double[] _reservoir;
    private int _reservoirCount;
    private ulong _rng;

    public NumericAccumulator(NumericReference reference, int reservoirCapacity, ulong seed)
    {
        _reference = reference;
        _pointCounts = new long[reference.Grid.Length];
        _cellCounts = new long[reference.Grid.Length + 1];
        _cellDistances = new double[reference.Grid.Length + 1];
        _reservoir = new double[reservoirCapacity];
        _rng = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
        Min = double.PositiveInfinity;
        Max = double.NegativeInfinity;
    }

    public NumericReference Reference => _reference;

    /// <summary>Finite values added.</summary>
    public long Count { get; private set; }

    /// <summary>Missing, non-numeric or non-finite values.</summary>
    public long Missing { get; private set; }

    public double Mean { get; private set; }

    public double M2 { get; private set; }

    public double Min { get; private set; }

    public double Max { get; private set; }

    public ReadOnlySpan<long> PointCounts => _pointCounts;

    public ReadOnlySpan<long> CellCounts => _cellCounts;

    public ReadOnlySpan<double> CellDistances => _cellDistances;

    /// <summary>The reservoir: every value while Count ≤ capacity, else a uniform sample of them.</summary>
    public ReadOnlySpan<double> Reservoir => _reservoir.AsSpan(0, _reservoirCount);

    public int ReservoirCapacity => _reservoir.Length;

    /// <summary>True while the reservoir holds every value of the window.</summary>
    public bool ReservoirComplete => Count <= _reservoir.Length;

    public void AddMissing(long count = 1) => Missing += count;

    /// <summary>Adds one value (NaN or ±∞ count as missing).</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            Missing++;
            return;
        }

        Place(value);
        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        M2 += delta * (value - Mean);
        UpdateMinMax(value);
        Sample(value);
    }

    /// <summary>Adds a batch: same result as adding each value, with the moments merged once per batch (Chan et al.).</summary>
    public void AddRange(ReadOnlySpan<double> values)
    {
        long n = 0;
        var sum = 0.0;
        double min = Min, max = Max;
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                Missing++;
                continue;
            }

            Place(v);
            Count++;
            Sample(v);
            n++;
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (n == 0)
        {
            return;
        }

        var mean = sum / n;
        var m2 = 0.0;
        foreach (var v in values)
        {
            if (double.IsFinite(v))
            {
                var d = v - mean;
                m2 += d * d;
            }
        }

        // Count was already advanced per value (the reservoir needs it); merge the moments from the old count.
        MergeMoments(Count - n, n, mean, m2);
        Min = min;
        Max = max;
    }

    private void Place(double value)
    {
        var grid = _reference.Grid;
        var k = _reference.LowerBound(value);
        if (k < grid.Length && grid[k] == value)
        {
            _pointCounts[k]++;
            return;
        }

        _cellCounts[k]++;
        _cellDistances[k] += k < grid.Length ? grid[k] - value : value - grid[^1];
    }

    private void UpdateMinMax(double value)
    {
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }

    private void Sample(double value)
    {
        // Algorithm R with Count already including this value.
        if (_reservoirCount < _reservoir.Length)
        {
            _reservoir[_reservoirCount++] = value;
            return;
        }

        var r = NextBelow((ulong)Count);
        if (r < (ulong)_reservoir.Length)
        {
            _reservoir[r] = value;
        }
    }

    private void MergeMoments(long countBefore, long n, double mean, double m2)
    {
        if (countBefore == 0)
        {
            Mean = mean;
            M2 = m2;
            return;
        }

        double na = countBefore, nb = n, total = na + nb;
        var delta = mean - Mean;
        Mean += delta * nb / total;
        M2 += m2 + delta * delta * na * nb / total;
    }

    /// <summary>Folds another window of the same feature and reference into this one.</summary>
    public void Merge(NumericAccumulator other)
    {
        if (!ReferenceEquals(other._reference, _reference) && !other._reference.Grid.AsSpan().SequenceEqual(_reference.Grid))
        {
            throw new ArgumentException($"Feature '{_reference.Name}': cannot merge windows counted against different references.", nameof(other));
        }

        for (var k = 0; k < _pointCounts.Length; k++)
        {
            _pointCounts[k] += other._pointCounts[k];
        }

        for (var k = 0; k < _cellCounts.Length; k++)
        {
            _cellCounts[k] += other._cellCounts[k];
            _cellDistances[k] += other._cellDistances[k];
        }

        MergeReservoir(other);
        if (other.Count > 0)
        {
            MergeMoments(Count, other.Count, other.Mean, other.M2);
        }

        Count += other.Count;
        Missing += other.Missing;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    private void MergeReservoir(NumericAccumulator other)
    {
        var capacity = _reservoir.Length;
        if (Count + other.Count <= capacity)
        {
            other.Reservoir.CopyTo(_reservoir.AsSpan(_reservoirCount));
            _reservoirCount += other._reservoirCount;
            return;
        }

        // A uniform sample of the union: decide how many slots each side fills by drawing labels without
        // replacement (hypergeometric), then take that many random items of each side's own uniform sample.
        long restA = Count, restB = other.Count;
        int takeA = 0, takeB = 0;
        for (var slot = 0; slot < capacity; slot++)
        {
            if (NextBelow((ulong)(restA + restB)) < (ulong)restA)
            {
                takeA++;
                restA--;
            }
            else
            {
                takeB++;
                restB--;
            }
        }

        var mine = _reservoir.AsSpan(0, _reservoirCount).ToArray();
        var theirs = other.Reservoir.ToArray();
        PartialShuffle(mine, takeA);
        PartialShuffle(theirs, takeB);
        mine.AsSpan(0, takeA).CopyTo(_reservoir);
        theirs.AsSpan(0, takeB).CopyTo(_reservoir.AsSpan(takeA));
        _reservoirCount = takeA + takeB;
    }

    private void PartialShuffle(double[] items, int take)
    {
        for (var i = 0; i < take; i++)
        {
            var j = i + (int)NextBelow((ulong)(items.Length - i));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A uniform integer in [0, bound) from xorshift64* (Lemire's multiply-shift; bias below 2⁻⁴⁰ here).</summary>
    private ulong NextBelow(ulong bound)
    {
        _rng ^= _rng >> 12;
        _rng ^= _rng << 25;
        _rng ^= _rng >> 27;
        var random = _rng * 0x2545F4914F6CDD1DUL;
        return Math.BigMul(random, bound, out _);
    }

    public NumericState ToState() => new()
    {
        Count = Count,
        Missing = Missing,
        Mean = Mean,
        M2 = M2,
        Min = Count > 0 ? Min : null,
        Max = Count > 0 ? Max : null,
        PointCounts = _pointCounts.ToArray(),
        CellCounts = _cellCounts.ToArray(),
        CellDistances = _cellDistances.ToArray(),
        Reservoir = Reservoir.ToArray(),
        RandomState = _rng,
    };

    public static NumericAccumulator FromState(NumericReference reference, int reservoirCapacity, NumericState state)
    {
        var grid = reference.Grid.Length;
        if (state.PointCounts.Length != grid || state.CellCounts.Length != grid + 1 || state.CellDistances.Length != grid + 1)
        {
            throw new ArgumentException($"Feature '{reference.Name}': the saved window has {state.PointCounts.Length} grid points, the reference {grid}; it was counted against another profile.", nameof(state));
        }

        if (state.Reservoir.Length > reservoirCapacity)
        {
            throw new ArgumentException($"Feature '{reference.Name}': the saved reservoir holds {state.Reservoir.Length} values, over the capacity {reservoirCapacity}.", nameof(state));
        }

        var accumulator = new NumericAccumulator(reference, reservoirCapacity, state.RandomState)
        {
            Count = state.Count,
            Missing = state.Missing,
            Mean = state.Mean,
            M2 = state.M2,
            Min = state.Min ?? double.PositiveInfinity,
            Max = state.Max ?? double.NegativeInfinity,
        };
        state.PointCounts.CopyTo(accumulator._pointCounts, 0);
        state.CellCounts.CopyTo(accumulator._cellCounts, 0);
        state.CellDistances.CopyTo(accumulator._cellDistances, 0);
        state.Reservoir.CopyTo(accumulator._reservoir, 0);
        accumulator._reservoirCount = state.Reservoir.Length;
        return accumulator;
    }
}
