using System.Text;

namespace Mlops.Features.Computation;

/// <summary>
/// Source rows of a view, column-oriented: entity key, event time (UTC ticks), a sequence number that keeps source
/// order among equal times, and the columns the view reads (numbers and text apart). Also the staging format between
/// the per-partition and the per-bucket activities (<see cref="WriteTo"/>/<see cref="ReadFrom"/>: a plain binary layout,
/// private to one materialisation).
/// </summary>
public sealed class SourceRows
{
    private const int Magic = 0x46524f57; // "FROW"

    /// <summary>An empty block for <paramref name="numericColumns"/> numeric and <paramref name="textColumns"/> text columns.</summary>
    public SourceRows(int numericColumns, int textColumns, int capacity = 1024)
    {
        Keys = new List<string>(capacity);
        Ticks = new List<long>(capacity);
        Sequence = new List<long>(capacity);
        Numbers = Enumerable.Range(0, numericColumns).Select(_ => new List<double>(capacity)).ToArray();
        Texts = Enumerable.Range(0, textColumns).Select(_ => new List<string?>(capacity)).ToArray();
    }

    /// <summary>Entity keys (several key columns joined with <c>|</c>).</summary>
    public List<string> Keys { get; }

    /// <summary>Event times, UTC ticks.</summary>
    public List<long> Ticks { get; }

    /// <summary>Source order: partition index in the high bits, row number in the low ones.</summary>
    public List<long> Sequence { get; }

    /// <summary>Numeric columns (NaN = missing).</summary>
    public List<double>[] Numbers { get; }

    /// <summary>Text columns (null = missing).</summary>
    public List<string?>[] Texts { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Keys.Count;

    /// <summary>Adds a row.</summary>
    public void Add(string key, long ticks, long sequence, ReadOnlySpan<double> numbers, ReadOnlySpan<string?> texts)
    {
        Keys.Add(key);
        Ticks.Add(ticks);
        Sequence.Add(sequence);
        for (var i = 0; i < Numbers.Length; i++)
        {
            Numbers[i].Add(numbers[i]);
        }

        for (var i = 0; i < Texts.Length; i++)
        {
            Texts[i].Add(texts[i]);
        }
    }

    /// <summary>Row order for computation: by entity, then event time, then source order.</summary>
    public int[] OrderByEntityAndTime()
    {
        var order = Enumerable.Range(0, Count).ToArray();
        Array.Sort(order, (a, b) =>
        {
            var c = string.CompareOrdinal(Keys[a], Keys[b]);
            if (c != 0)
            {
                return c;
            }

            c = Ticks[a].CompareTo(Ticks[b]);
            return c != 0 ? c : Sequence[a].CompareTo(Sequence[b]);
        });
        return order;
    }

    /// <summary>Starts a staging stream.</summary>
    public static void WriteHeader(BinaryWriter writer, int numericColumns, int textColumns)
    {
        writer.Write(Magic);
        writer.Write(numericColumns);
        writer.Write(textColumns);
    }

    /// <summary>Writes one row in the staging layout (after <see cref="WriteHeader"/>).</summary>
    public static void WriteRow(BinaryWriter writer, string key, long ticks, long sequence, ReadOnlySpan<double> numbers, ReadOnlySpan<string?> texts)
    {
        writer.Write(true);
        writer.Write(key);
        writer.Write(ticks);
        writer.Write(sequence);
        foreach (var n in numbers)
        {
            writer.Write(n);
        }

        foreach (var t in texts)
        {
            writer.Write(t is not null);
            if (t is not null)
            {
                writer.Write(t);
            }
        }
    }

    /// <summary>Ends the staging stream.</summary>
    public static void WriteEnd(BinaryWriter writer) => writer.Write(false);

    /// <summary>Writes the whole block in the staging layout.</summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        WriteHeader(writer, Numbers.Length, Texts.Length);
        var numbers = new double[Numbers.Length];
        var texts = new string?[Texts.Length];
        for (var r = 0; r < Count; r++)
        {
            for (var i = 0; i < numbers.Length; i++)
            {
                numbers[i] = Numbers[i][r];
            }

            for (var i = 0; i < texts.Length; i++)
            {
                texts[i] = Texts[i][r];
            }

            WriteRow(writer, Keys[r], Ticks[r], Sequence[r], numbers, texts);
        }

        WriteEnd(writer);
    }

    /// <summary>Appends the rows of a staging stream to this block (same column counts).</summary>
    public void ReadFrom(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != Magic || reader.ReadInt32() != Numbers.Length || reader.ReadInt32() != Texts.Length)
        {
            throw new InvalidDataException("The staging file does not match this view's columns.");
        }

        var numbers = new double[Numbers.Length];
        var texts = new string?[Texts.Length];
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadBoolean())
        {
            var key = reader.ReadString();
            // Entity keys repeat a lot: keep one string per key.
            if (!keys.TryGetValue(key, out var interned))
            {
                keys[key] = interned = key;
            }

            var ticks = reader.ReadInt64();
            var sequence = reader.ReadInt64();
            for (var i = 0; i < numbers.Length; i++)
            {
                numbers[i] = reader.ReadDouble();
            }

            for (var i = 0; i < texts.Length; i++)
            {
                texts[i] = reader.ReadBoolean() ? reader.ReadString() : null;
            }

            Add(interned, ticks, sequence, numbers, texts);
        }
    }
}
