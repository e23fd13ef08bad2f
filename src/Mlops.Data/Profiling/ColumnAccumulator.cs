using Mlops.Core.Data;
using Mlops.Data.Reading;

namespace Mlops.Data.Profiling;

/// <summary>
/// Everything the pass learns about one column: missing values, how many values parse as numbers, booleans and dates,
/// numeric statistics and category counts. The kind is decided at the end (<see cref="InferKind"/>), so a single pass
/// serves inference, validation and profiling.
/// </summary>
internal sealed class ColumnAccumulator
{
    private readonly int _maxRows;
    private readonly List<long> _missingRows = [];
    private readonly List<long> _nonNumberRows = [];

    public ColumnAccumulator(string name, int index, IngestionOptions options, bool keepCategories)
    {
        Name = name;
        Index = index;
        _maxRows = options.MaxRowsPerFailure;
        KeepCategories = keepCategories;
        Numbers = new NumericAccumulator(options.SampleCapacity, options.SampleSeed + index);
        Categories = new CategoryCounter(options.MaxCategories);
    }

    public string Name { get; }

    public int Index { get; }

    /// <summary>True when the counts must be kept whatever the column turns out to be (named by the spec or categorical before).</summary>
    public bool KeepCategories { get; }

    public long Missing { get; private set; }

    public long Present { get; private set; }

    public long NonNumbers { get; private set; }

    public long NonBooleans { get; private set; }

    public long NonDates { get; private set; }

    public NumericAccumulator Numbers { get; }

    public CategoryCounter Categories { get; }

    public IReadOnlyList<long> MissingRows => _missingRows;

    public IReadOnlyList<long> NonNumberRows => _nonNumberRows;

    public void Add(in Cell cell, long row)
    {
        switch (cell.Type)
        {
            case CellType.Missing:
                AddMissing(row);
                break;
            case CellType.Number:
                Present++;
                Numbers.Add(cell.Number);
                NonBooleans++;
                NonDates++;
                if (cell.Text is not null)
                {
                    TrackCategory(cell.Text);
                }

                break;
            case CellType.Boolean:
                Present++;
                NonNumber(row);
                NonDates++;
                TrackCategory(cell.Number != 0 ? "true" : "false");
                break;
            default:
                AddText(cell.Text!, row);
                break;
        }
    }

    private void AddText(string text, long row)
    {
        if (ValueSyntax.IsMissing(text))
        {
            AddMissing(row);
            return;
        }

        Present++;
        if (ValueSyntax.TryParseNumber(text, out var number))
        {
            Numbers.Add(number);
            NonBooleans++;
            NonDates++;
        }
        else
        {
            NonNumber(row);
            if (!ValueSyntax.TryParseBoolean(text, out _))
            {
                NonBooleans++;
            }

            // Once one value is not a date the column is not a date column: stop paying for the check.
            if (NonDates == 0 && !ValueSyntax.IsIsoDate(text))
            {
                NonDates++;
            }
            else if (NonDates > 0)
            {
                NonDates++;
            }
        }

        TrackCategory(text);
    }

    private void TrackCategory(string text)
    {
        Categories.Add(text);

        // Past the category limit the column can only be numeric, date or text; unless someone needs the counts, drop them.
        if (Categories.Overflowed && !KeepCategories && !Categories.Frozen)
        {
            Categories.Freeze();
        }
    }

    private void AddMissing(long row)
    {
        Missing++;
        if (_missingRows.Count < _maxRows)
        {
            _missingRows.Add(row);
        }
    }

    private void NonNumber(long row)
    {
        NonNumbers++;
        if (_nonNumberRows.Count < _maxRows)
        {
            _nonNumberRows.Add(row);
        }
    }

    /// <summary>The kind the values alone suggest (README.md "Type inference", rules applied in this order).</summary>
    public ColumnKind InferKind(IngestionOptions options)
    {
        if (Present == 0)
        {
            return ColumnKind.Text;
        }

        if (NonNumbers == 0)
        {
            return ColumnKind.Numeric;
        }

        if (NonBooleans == 0)
        {
            return ColumnKind.Boolean;
        }

        if (Numbers.Count >= options.MostlyNumericFraction * Present)
        {
            return ColumnKind.Numeric;
        }

        if (NonDates == 0)
        {
            return ColumnKind.Date;
        }

        var distinct = Categories.Distinct;
        if (!Categories.Overflowed && !Categories.Frozen && distinct <= options.MaxCategories &&
            (distinct <= 20 || distinct <= Present / 2))
        {
            return ColumnKind.Categorical;
        }

        return ColumnKind.Text;
    }
}
