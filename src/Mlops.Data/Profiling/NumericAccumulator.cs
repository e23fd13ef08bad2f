using Mlops.Core.Data;

namespace Mlops.Data.Profiling;

/// <summary>
/// Streaming numeric statistics in bounded memory: Welford mean/variance, min/max, a fixed-seed reservoir sample,
/// and exact value counts while the column has few distinct values (so quantile bins of discrete columns are exact).
/// </summary>
internal sealed class NumericAccumulator(int sampleCapacity, int seed)
{
    /// <summary>Past this many distinct values the exact counts are dropped and bins come from the sample.</summary>
    internal const int ExactCountLimit = 4_096;

    private readonly List<double> _reservoir = new(Math.Min(sampleCapacity, 256));
    private readonly Random _random = new(seed);
    private Dictionary<double, long>? _exactCounts = [];
    private double _w;
    private long _next;
    private double _mean;
    private double _m2;

    public long Count { get; private set; }

    public double Min { get; private set; } = double.PositiveInfinity;

    public double Max { get; private set; } = double.NegativeInfinity;

    public void Add(double x)
    {
        Count++;
        var delta = x - _mean;
        _mean += delta / Count;
        _m2 += delta * (x - _mean);
        if (x < Min)
        {
            Min = x;
        }

        if (x > Max)
        {
            Max = x;
        }

        // Reservoir sampling, Li's algorithm L: draws random numbers only at the (rare) replacements, not per value.
        if (_reservoir.Count < sampleCapacity)
        {
            _reservoir.Add(x);
            if (_reservoir.Count == sampleCapacity)
            {
                _w = Math.Exp(Math.Log(NextOpen()) / sampleCapacity);
                _next = Count + Skip();
            }
        }
        else if (Count == _next)
        {
            _reservoir[_random.Next(sampleCapacity)] = x;
            _w *= Math.Exp(Math.Log(NextOpen()) / sampleCapacity);
            _next = Count + Skip();
        }

        if (_exactCounts is not null)
        {
            x = x == 0 ? 0 : x; // -0 and +0 are one value
            if (_exactCounts.TryGetValue(x, out var c))
            {
                _exactCounts[x] = c + 1;
            }
            else if (_exactCounts.Count < ExactCountLimit)
            {
                _exactCounts[x] = 1;
            }
            else
            {
                _exactCounts = null;
            }
        }
    }

    private double NextOpen() => 1.0 - _random.NextDouble(); // in (0, 1], so the logarithm is finite

    private long Skip() => (long)Math.Floor(Math.Log(NextOpen()) / Math.Log(1 - _w)) + 1;

    public NumericProfile? ToProfile(int bins)
    {
        if (Count == 0)
        {
            return null;
        }

        var sample = _reservoir.ToArray();
        Array.Sort(sample);
        var (edges, fractions) = _exactCounts is not null ? ExactBins(_exactCounts, Count, bins) : SampleBins(sample, bins);
        return new NumericProfile
        {
            Min = Min,
            Max = Max,
            Mean = _mean,
            Std = Count > 1 ? Math.Sqrt(_m2 / (Count - 1)) : 0,
            BinEdges = edges,
            BinFractions = fractions,
            Sample = sample,
        };
    }

    /// <summary>Edges at the k/bins quantiles of the weighted distinct values; fractions counted exactly.</summary>
    private static (double[] Edges, double[] Fractions) ExactBins(Dictionary<double, long> counts, long total, int bins)
    {
        var values = counts.Keys.ToArray();
        Array.Sort(values);
        var edges = new List<double>();
        long cumulative = 0;
        var k = 1;
        foreach (var v in values)
        {
            cumulative += counts[v];
            while (k < bins && cumulative >= (double)total * k / bins)
            {
                if (edges.Count == 0 || edges[^1] < v)
                {
                    edges.Add(v);
                }

                k++;
            }
        }

        // An edge at the maximum would leave the last bin empty: drop it.
        if (edges.Count > 0 && edges[^1] >= values[^1])
        {
            edges.RemoveAt(edges.Count - 1);
        }

        var fractions = new double[edges.Count + 1];
        foreach (var (v, c) in counts)
        {
            fractions[BinOf(edges, v)] += c;
        }

        for (var i = 0; i < fractions.Length; i++)
        {
            fractions[i] /= total;
        }

        return (edges.ToArray(), fractions);
    }

    /// <summary>Edges at the k/bins quantiles of the sorted sample; fractions estimated on the sample.</summary>
    private static (double[] Edges, double[] Fractions) SampleBins(double[] sorted, int bins)
    {
        var edges = new List<double>();
        for (var k = 1; k < bins; k++)
        {
            var index = (int)Math.Ceiling((double)sorted.Length * k / bins) - 1;
            var v = sorted[Math.Clamp(index, 0, sorted.Length - 1)];
            if (edges.Count == 0 || edges[^1] < v)
            {
                edges.Add(v);
            }
        }

        if (edges.Count > 0 && edges[^1] >= sorted[^1])
        {
            edges.RemoveAt(edges.Count - 1);
        }

        var fractions = new double[edges.Count + 1];
        foreach (var v in sorted)
        {
            fractions[BinOf(edges, v)]++;
        }

        for (var i = 0; i < fractions.Length; i++)
        {
            fractions[i] /= sorted.Length;
        }

        return (edges.ToArray(), fractions);
    }

    /// <summary>Bin i holds (edge[i−1], edge[i]]: the index of the first edge ≥ v.</summary>
    internal static int BinOf(IReadOnlyList<double> edges, double v)
    {
        int lo = 0, hi = edges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (edges[mid] >= v)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
