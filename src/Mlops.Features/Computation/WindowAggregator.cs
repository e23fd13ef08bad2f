namespace Mlops.Features.Computation;

/// <summary>
/// A sliding window over one entity's earlier rows, by time span or by row count: running sum and count, and monotonic
/// deques for min and max, so each row costs O(1) amortised whatever the window's size. Missing values (NaN) take a
/// place in a row window but no part in the aggregate.
/// </summary>
internal sealed class WindowAggregator(long spanTicks, int maxRows)
{
    private readonly Deque<(long Ticks, double Value, long Id)> _entries = new();
    private readonly Deque<(long Id, double Value)> _min = new();
    private readonly Deque<(long Id, double Value)> _max = new();
    private double _sum;
    private long _count;
    private long _nextId;

    /// <summary>A window of the rows with event time in (t − span, t).</summary>
    public static WindowAggregator ForSpan(TimeSpan span) => new(span.Ticks, int.MaxValue);

    /// <summary>A window of the previous <paramref name="rows"/> rows.</summary>
    public static WindowAggregator ForRows(int rows) => new(0, rows);

    public void Clear()
    {
        _entries.Clear();
        _min.Clear();
        _max.Clear();
        _sum = 0;
        _count = 0;
    }

    /// <summary>Adds a row of an earlier time than any later query.</summary>
    public void Add(long ticks, double value)
    {
        var id = _nextId++;
        _entries.PushBack((ticks, value, id));
        if (!double.IsNaN(value))
        {
            _sum += value;
            _count++;
            while (_min.Count > 0 && _min.Back.Value >= value)
            {
                _min.PopBack();
            }

            _min.PushBack((id, value));
            while (_max.Count > 0 && _max.Back.Value <= value)
            {
                _max.PopBack();
            }

            _max.PushBack((id, value));
        }

        if (maxRows != int.MaxValue)
        {
            while (_entries.Count > maxRows)
            {
                Evict();
            }
        }
    }

    /// <summary>Drops rows that a query at <paramref name="ticks"/> no longer sees (time windows; event time ≤ t − span).</summary>
    public void AdvanceTo(long ticks)
    {
        if (spanTicks <= 0)
        {
            return;
        }

        var oldest = ticks - spanTicks;
        while (_entries.Count > 0 && _entries.Front.Ticks <= oldest)
        {
            Evict();
        }
    }

    public double Value(string aggregate) => aggregate switch
    {
        "count" => _count,
        "sum" => _count == 0 ? 0 : _sum,
        "mean" => _count == 0 ? double.NaN : _sum / _count,
        "min" => _min.Count == 0 ? double.NaN : _min.Front.Value,
        "max" => _max.Count == 0 ? double.NaN : _max.Front.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(aggregate), aggregate, "Unknown aggregate."),
    };

    private void Evict()
    {
        var (_, value, id) = _entries.PopFront();
        if (double.IsNaN(value))
        {
            return;
        }

        _count--;
        // Recomputed from nothing when the window empties, so rounding never accumulates across quiet periods.
        _sum = _count == 0 ? 0 : _sum - value;
        if (_min.Count > 0 && _min.Front.Id == id)
        {
            _min.PopFront();
        }

        if (_max.Count > 0 && _max.Front.Id == id)
        {
            _max.PopFront();
        }
    }
}

/// <summary>A growable ring buffer with O(1) push and pop at both ends.</summary>
internal sealed class Deque<T>
{
    private T[] _items = new T[16];
    private int _head;

    public int Count { get; private set; }

    public T Front => _items[_head];

    public T Back => _items[(_head + Count - 1) % _items.Length];

    /// <summary>The item <paramref name="fromBack"/> places before the back (0 = back).</summary>
    public T FromBack(int fromBack) => _items[(_head + Count - 1 - fromBack) % _items.Length];

    public void PushBack(T item)
    {
        if (Count == _items.Length)
        {
            var grown = new T[_items.Length * 2];
            for (var i = 0; i < Count; i++)
            {
                grown[i] = _items[(_head + i) % _items.Length];
            }

            _items = grown;
            _head = 0;
        }

        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public T PopFront()
    {
        var item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return item;
    }

    public T PopBack()
    {
        var index = (_head + Count - 1) % _items.Length;
        var item = _items[index];
        _items[index] = default!;
        Count--;
        return item;
    }

    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }
}
