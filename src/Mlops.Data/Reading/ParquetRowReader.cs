using System.Globalization;
using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace Mlops.Data.Reading;

/// <summary>
/// Reads a Parquet file one row group at a time into reused column buffers (memory is bounded by the largest row
/// group, not the file), then hands the rows to the session. Only flat columns of numbers, booleans, strings and dates.
/// </summary>
internal static class ParquetRowReader
{
    public static async Task ReadAsync(Stream seekable, IngestionSession session, CancellationToken ct)
    {
        await using var reader = await ParquetReader.CreateAsync(seekable, parquetOptions: null, leaveStreamOpen: true, ct).ConfigureAwait(false);
        var nested = reader.Schema.Fields.Where(f => f is not DataField || ((DataField)f).IsArray).Select(f => f.Name).ToList();
        if (nested.Count > 0)
        {
            session.Fatal(DataRules.WrongShape, $"Only flat columns are supported; {string.Join(", ", nested.Select(n => $"'{n}'"))} {(nested.Count == 1 ? "is" : "are")} nested or repeated.");
            return;
        }

        var fields = reader.Schema.GetDataFields();
        var buffers = new ColumnBuffer[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            buffers[i] = ColumnBuffer.For(fields[i]) ?? throw new UnsupportedColumnException(fields[i]);
        }

        session.SetColumns(fields.Select(f => f.Name).ToList());
        var cells = new Cell[fields.Length];
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            for (var i = 0; i < fields.Length; i++)
            {
                await buffers[i].ReadAsync(group, rows, ct).ConfigureAwait(false);
            }

            ct.ThrowIfCancellationRequested();
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < cells.Length; i++)
                {
                    cells[i] = buffers[i].Get(r);
                }

                session.AddRow(cells);
            }
        }
    }

    /// <summary>One column's values for the current row group, in an array reused across row groups.</summary>
    private abstract class ColumnBuffer(DataField field)
    {
        protected DataField Field { get; } = field;

        public abstract ValueTask ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken ct);

        public abstract Cell Get(int row);

        protected static T[] Ensure<T>(ref T[] array, int rows)
        {
            if (array.Length < rows)
            {
                array = new T[rows];
            }

            return array;
        }

        public static ColumnBuffer? For(DataField field)
        {
            var t = field.ClrType;
            return t switch
            {
                _ when t == typeof(double) => new NumberBuffer<double>(field),
                _ when t == typeof(float) => new NumberBuffer<float>(field),
                _ when t == typeof(long) => new NumberBuffer<long>(field),
                _ when t == typeof(int) => new NumberBuffer<int>(field),
                _ when t == typeof(short) => new NumberBuffer<short>(field),
                _ when t == typeof(sbyte) => new NumberBuffer<sbyte>(field),
                _ when t == typeof(byte) => new NumberBuffer<byte>(field),
                _ when t == typeof(ushort) => new NumberBuffer<ushort>(field),
                _ when t == typeof(uint) => new NumberBuffer<uint>(field),
                _ when t == typeof(ulong) => new NumberBuffer<ulong>(field),
                _ when t == typeof(decimal) => new NumberBuffer<decimal>(field),
                _ when t == typeof(bool) => new BooleanBuffer(field),
                _ when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => new StringBuffer(field),
                _ when t == typeof(DateTime) => new FormattedBuffer<DateTime>(field, FormatDateTime),
                _ when t == typeof(DateTimeOffset) => new FormattedBuffer<DateTimeOffset>(field, d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
                _ when t == typeof(DateOnly) => new FormattedBuffer<DateOnly>(field, d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                _ when t == typeof(TimeSpan) => new FormattedBuffer<TimeSpan>(field, d => d.ToString("c", CultureInfo.InvariantCulture)),
                _ => null,
            };
        }

        private static string FormatDateTime(DateTime d) => d.TimeOfDay == TimeSpan.Zero && d.Kind != DateTimeKind.Utc
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + (d.Kind == DateTimeKind.Utc ? "Z" : "");
    }

    private sealed class NumberBuffer<T>(DataField field) : ColumnBuffer(field)
        where T : struct, INumberBase<T>
    {
        private T?[] _nullable = [];
        private T[] _required = [];

        public override async ValueTask ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken ct)
        {
            if (Field.IsNullable)
            {
                await group.ReadAsync(Field, Ensure(ref _nullable, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
            else
            {
                await group.ReadAsync(Field, Ensure(ref _required, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
        }

        public override Cell Get(int row)
        {
            T value;
            if (Field.IsNullable)
            {
                if (_nullable[row] is not { } v)
                {
                    return Cell.Missing;
                }

                value = v;
            }
            else
            {
                value = _required[row];
            }

            return value is float f ? FromSingle(f) : ToCell(double.CreateTruncating(value));
        }

        private static Cell ToCell(double d) => double.IsFinite(d) ? Cell.FromNumber(d) : Cell.FromText(d.ToString(CultureInfo.InvariantCulture));

        /// <summary>A float widened to the double its shortest text names (1.1f becomes 1.1, not 1.100000023841858), as a CSV reader would see it.</summary>
        private static Cell FromSingle(float f)
        {
            Span<char> text = stackalloc char[32];
            f.TryFormat(text, out var n, default, CultureInfo.InvariantCulture);
            return ValueSyntax.TryParseNumber(text[..n], out var d) ? Cell.FromNumber(d) : Cell.FromText(text[..n].ToString());
        }
    }

    private sealed class BooleanBuffer(DataField field) : ColumnBuffer(field)
    {
        private bool?[] _nullable = [];
        private bool[] _required = [];

        public override async ValueTask ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken ct)
        {
            if (Field.IsNullable)
            {
                await group.ReadAsync(Field, Ensure(ref _nullable, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
            else
            {
                await group.ReadAsync(Field, Ensure(ref _required, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
        }

        public override Cell Get(int row) => Field.IsNullable
            ? _nullable[row] is { } v ? Cell.FromBoolean(v) : Cell.Missing
            : Cell.FromBoolean(_required[row]);
    }

    private sealed class StringBuffer(DataField field) : ColumnBuffer(field)
    {
        private string?[] _values = [];

        public override ValueTask ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken ct) =>
            group.ReadAsync(Field, Ensure(ref _values, rows).AsMemory(0, rows), null, ct);

        public override Cell Get(int row) => Cell.FromText(_values[row]);
    }

    private sealed class FormattedBuffer<T>(DataField field, Func<T, string> format) : ColumnBuffer(field)
        where T : struct
    {
        private T?[] _nullable = [];
        private T[] _required = [];

        public override async ValueTask ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken ct)
        {
            if (Field.IsNullable)
            {
                await group.ReadAsync(Field, Ensure(ref _nullable, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
            else
            {
                await group.ReadAsync(Field, Ensure(ref _required, rows).AsMemory(0, rows), null, ct).ConfigureAwait(false);
            }
        }

        public override Cell Get(int row) => Field.IsNullable
            ? _nullable[row] is { } v ? Cell.FromText(format(v)) : Cell.Missing
            : Cell.FromText(format(_required[row]));
    }
}

/// <summary>A Parquet column of a type a dataset cannot hold (binary, interval, ...).</summary>
internal sealed class UnsupportedColumnException(DataField field)
    : Exception($"Column '{field.Name}' has the Parquet type {field.ClrType.Name}, which a dataset cannot hold (numbers, booleans, strings and dates only).")
{
    public string Column { get; } = field.Name;
}
