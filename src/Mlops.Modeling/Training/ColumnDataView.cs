using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Modeling.Training;

/// <summary>
/// An <see cref="IDataView"/> over in-memory column arrays: <c>float[]</c> (Single), <c>bool[]</c> (Boolean) or
/// <c>string[]</c> (Text, null read as empty). ML.NET's own in-memory builders want a fixed CLR row type, while our
/// tables have one column per dataset column, named as in the dataset, which is also what the ONNX converter turns into
/// graph inputs.
/// </summary>
internal sealed class ColumnDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly int _rows;

    public ColumnDataView(IReadOnlyList<(string Name, Array Values)> columns, int rows)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var (name, values) in columns)
        {
            if (values.Length != rows)
            {
                throw new ArgumentException($"Column '{name}' has {values.Length} values for {rows} rows.", nameof(columns));
            }

            builder.AddColumn(name, values switch
            {
                float[] => NumberDataViewType.Single,
                bool[] => BooleanDataViewType.Instance,
                string[] => TextDataViewType.Instance,
                _ => throw new ArgumentException($"Column '{name}' has an unsupported array type {values.GetType().Name}.", nameof(columns)),
            });
        }

        Schema = builder.ToSchema();
        _columns = columns.Select(c => c.Values).ToArray();
        _rows = rows;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(ColumnDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows)
            {
                _position = view._rows;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = view._columns[column.Index] switch
            {
                float[] f => (ValueGetter<float>)((ref float v) => v = f[_position]),
                bool[] b => (ValueGetter<bool>)((ref bool v) => v = b[_position]),
                string[] s => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = (s[_position] ?? "").AsMemory()),
                _ => throw new InvalidOperationException("Unsupported column."),
            };
            return getter as ValueGetter<TValue>
                   ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }
    }
}
