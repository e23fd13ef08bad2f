using Mlops.Core.Data;

namespace Mlops.Monitoring.Accumulators;

/// <summary>The reference categories of one categorical (or boolean) feature, in the profile's order.</summary>
internal sealed class CategoricalReference
{
    public CategoricalReference(string name, ColumnProfile column, CategoricalProfile profile)
    {
        Name = name;
        ReferenceCount = column.Count;
        Categories = profile.TopCounts.Keys.ToArray();
        Counts = profile.TopCounts.Values.ToArray();
        OtherCount = profile.OtherCount;
        Index = new Dictionary<string, int>(Categories.Length, StringComparer.Ordinal);
        for (var i = 0; i < Categories.Length; i++)
        {
            Index[Categories[i]] = i;
        }
    }

    public string Name { get; }

    public long ReferenceCount { get; }

    public string[] Categories { get; }

    public long[] Counts { get; }

    /// <summary>Reference values outside <see cref="Categories"/>; zero means the profile knew every category.</summary>
    public long OtherCount { get; }

    public Dictionary<string, int> Index { get; }
}

/// <summary>
/// The streaming state of one categorical feature: a count per reference category, a count of values outside the
/// reference list, and the most frequent of those values by name (at most <see cref="TrackedNamesLimit"/> names are
/// tracked; later new names still count, but only in the total).
/// </summary>
internal sealed class CategoricalAccumulator(CategoricalReference reference)
{
    /// <summary>Bound on the outside-the-reference names kept per feature and window.</summary>
    public const int TrackedNamesLimit = 256;

    private readonly long[] _counts = new long[reference.Categories.Length];
    private readonly Dictionary<string, long> _outsideNames = new(StringComparer.Ordinal);

    public CategoricalReference Reference => reference;

    public long Count { get; private set; }

    public long Missing { get; private set; }

    /// <summary>Values outside the reference categories.</summary>
    public long OutsideCount { get; private set; }

    public ReadOnlySpan<long> Counts => _counts;

    public IReadOnlyDictionary<string, long> OutsideNames => _outsideNames;

    public void AddMissing(long count = 1) => Missing += count;

    public void Add(string? value)
    {
        if (value is null)
        {
            Missing++;
            return;
        }

        Count++;
        if (reference.Index.TryGetValue(value, out var i))
        {
            _counts[i]++;
            return;
        }

        OutsideCount++;
        TrackOutside(value, 1);
    }

    private void TrackOutside(string value, long count)
    {
        if (_outsideNames.TryGetValue(value, out var seen))
        {
            _outsideNames[value] = seen + count;
        }
        else if (_outsideNames.Count < TrackedNamesLimit)
        {
            _outsideNames[value] = count;
        }
    }

    public void Merge(CategoricalAccumulator other)
    {
        if (!other.Reference.Categories.AsSpan().SequenceEqual(reference.Categories))
        {
            throw new ArgumentException($"Feature '{reference.Name}': cannot merge windows counted against different category lists.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Missing += other.Missing;
        OutsideCount += other.OutsideCount;
        foreach (var (name, count) in other._outsideNames.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            TrackOutside(name, count);
        }
    }

    public CategoricalState ToState() => new()
    {
        Count = Count,
        Missing = Missing,
        Counts = _counts.ToArray(),
        OutsideCount = OutsideCount,
        OutsideNames = new SortedDictionary<string, long>(_outsideNames, StringComparer.Ordinal),
    };

    public static CategoricalAccumulator FromState(CategoricalReference reference, CategoricalState state)
    {
        if (state.Counts.Length != reference.Categories.Length)
        {
            throw new ArgumentException($"Feature '{reference.Name}': the saved window has {state.Counts.Length} categories, the reference {reference.Categories.Length}; it was counted against another profile.", nameof(state));
        }

        var accumulator = new CategoricalAccumulator(reference)
        {
            Count = state.Count,
            Missing = state.Missing,
            OutsideCount = state.OutsideCount,
        };
        state.Counts.CopyTo(accumulator._counts, 0);
        foreach (var (name, count) in state.OutsideNames)
        {
            accumulator.TrackOutside(name, count);
        }

        return accumulator;
    }
}
