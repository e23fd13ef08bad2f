using Mlops.Core.Data;

namespace Mlops.Monitoring.Tests;

/// <summary>Builds reference profiles the way the data profiler defines them (decile edges, sorted sample ≤ 2,000).</summary>
internal static class TestProfiles
{
    public static ColumnProfile Numeric(string name, IReadOnlyList<double> values, IReadOnlyList<double>? edges = null, int sampleCapacity = 2000, int seed = 1)
    {
        var sorted = values.Order().ToArray();
        edges ??= Enumerable.Range(1, 9).Select(i => sorted[(int)Math.Ceiling(i / 10.0 * sorted.Length) - 1]).Distinct().ToArray();
        var fractions = new double[edges.Count + 1];
        foreach (var v in values)
        {
            var bin = 0;
            while (bin < edges.Count && v > edges[bin])
            {
                bin++;
            }

            fractions[bin] += 1.0 / values.Count;
        }

        var sample = values.Count <= sampleCapacity ? sorted : Reservoir(values, sampleCapacity, seed);
        var mean = values.Average();
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new ColumnProfile
        {
            Name = name,
            Kind = ColumnKind.Numeric,
            Count = values.Count,
            Nulls = 0,
            Numeric = new NumericProfile
            {
                Min = sorted[0],
                Max = sorted[^1],
                Mean = mean,
                Std = std,
                BinEdges = edges,
                BinFractions = fractions,
                Sample = sample,
            },
        };
    }

    public static ColumnProfile Categorical(string name, IReadOnlyDictionary<string, long> top, long other) => new()
    {
        Name = name,
        Kind = ColumnKind.Categorical,
        Count = top.Values.Sum() + other,
        Nulls = 0,
        Categorical = new CategoricalProfile { Distinct = top.Count + (other > 0 ? 1 : 0), TopCounts = top, OtherCount = other },
    };

    public static DatasetProfile Of(params ColumnProfile[] columns) => new() { RowCount = columns.Max(c => c.Count + c.Nulls), Columns = columns };

    public static double[] Normal(int n, double mean, double std, int seed)
    {
        var random = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Box–Muller.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = mean + std * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return values;
    }

    private static double[] Reservoir(IReadOnlyList<double> values, int capacity, int seed)
    {
        var random = new Random(seed);
        var reservoir = values.Take(capacity).ToArray();
        for (var i = capacity; i < values.Count; i++)
        {
            var j = random.NextInt64(i + 1);
            if (j < capacity)
            {
                reservoir[j] = values[i];
            }
        }

        Array.Sort(reservoir);
        return reservoir;
    }
}
