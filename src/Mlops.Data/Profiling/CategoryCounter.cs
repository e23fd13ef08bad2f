using Mlops.Core.Data;

namespace Mlops.Data.Profiling;

/// <summary>
/// Value frequencies in bounded memory: exact until <c>limit</c> distinct values; after that, values already seen keep
/// counting and new ones count as untracked (so Distinct becomes a lower bound). A counter that is not needed (the
/// column cannot end up categorical) is frozen and stops costing anything.
/// </summary>
internal sealed class CategoryCounter(int limit)
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private long _untracked;

    public bool Overflowed { get; private set; }

    public bool Frozen { get; private set; }

    public int Distinct => _counts.Count;

    public void Freeze()
    {
        Frozen = true;
        _counts.Clear();
        _counts.TrimExcess();
    }

    public void Add(string value)
    {
        if (Frozen)
        {
            return;
        }

        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_counts, value);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot))
        {
            slot++;
        }
        else if (_counts.Count < limit)
        {
            _counts[value] = 1;
        }
        else
        {
            Overflowed = true;
            _untracked++;
        }
    }

    public CategoricalProfile ToProfile(int topK)
    {
        var ordered = _counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var top = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (k, v) in ordered.Take(topK))
        {
            top[k] = v;
        }

        return new CategoricalProfile
        {
            Distinct = _counts.Count + (_untracked > 0 ? 1 : 0),
            TopCounts = top,
            OtherCount = ordered.Skip(topK).Sum(p => p.Value) + _untracked,
        };
    }

    /// <summary>The distinct values, for checks like "a binary target has two classes".</summary>
    public IEnumerable<string> Values => _counts.Keys;
}
