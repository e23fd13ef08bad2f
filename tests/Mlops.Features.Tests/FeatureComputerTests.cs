using Mlops.Core.Data;
using Mlops.Features.Computation;
using Mlops.Features.Definitions;

namespace Mlops.Features.Tests;

public sealed class FeatureComputerTests
{
    private static readonly Dictionary<string, ColumnKind> Columns = new()
    {
        ["date"] = ColumnKind.Date,
        ["delay"] = ColumnKind.Numeric,
        ["distance"] = ColumnKind.Numeric,
        ["origin"] = ColumnKind.Categorical,
        ["destination"] = ColumnKind.Categorical,
    };

    private static FeatureRows Compute(string featuresJson, params (string Origin, string Date, double Delay, string Dest)[] rows)
    {
        var spec = FeatureViewParser.Parse($$"""{"entities": ["origin"], "timestamp": "date", "source": {"project": "p1"}, "features": {{featuresJson}}}""");
        var view = new CompiledView("v1", 1, spec, Columns);
        var source = new SourceRows(view.NumericColumns.Count, view.TextColumns.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.True(EventTime.TryParse(rows[i].Date, out var ticks));
            var numbers = view.NumericColumns.Select(c => c switch { "delay" => rows[i].Delay, _ => 100.0 }).ToArray();
            var texts = view.TextColumns.Select(_ => (string?)rows[i].Dest).ToArray();
            source.Add(rows[i].Origin, ticks, i, numbers, texts);
        }

        return FeatureComputer.Compute(view, source);
    }

    private static double?[] Numbers(FeatureRows rows, int output) => Enumerable.Range(0, rows.Count).Select(r => (double?)rows.ValueAt(output, r)).ToArray();

    [Fact]
    public void TimeWindow_CoversEarlierRowsInSpan_ExcludingTheRowsOwnTime()
    {
        var rows = Compute("""[{"name": "m", "column": "delay", "aggregate": "mean", "window": "P7D"}, {"name": "n", "column": "delay", "aggregate": "count", "window": "P7D"}, {"name": "lo", "column": "delay", "aggregate": "min", "window": "P7D"}, {"name": "hi", "column": "delay", "aggregate": "max", "window": "P7D"}, {"name": "s", "column": "delay", "aggregate": "sum", "window": "P7D"}]""",
            ("DTW", "2001-01-01T00:00", 10, "LAS"),
            ("DTW", "2001-01-03T00:00", 20, "LAS"),
            ("DTW", "2001-01-03T00:00", 1000, "LAS"), // same time: neither row sees the other
            ("DTW", "2001-01-08T00:00", 30, "LAS"),   // sees (Jan 1, Jan 8): exactly 7 days back is out
            ("DTW", "2001-01-20T00:00", 40, "LAS"));  // nothing within 7 days

        Assert.Equal([null, 10, 10, (20 + 1000) / 2.0, null], Numbers(rows, 0));
        Assert.Equal([0, 1, 1, 2, 0], Numbers(rows, 1));
        Assert.Equal([null, 10, 10, 20, null], Numbers(rows, 2));
        Assert.Equal([null, 10, 10, 1000, null], Numbers(rows, 3));
        Assert.Equal([0, 10, 10, 1020, 0], Numbers(rows, 4));
    }

    [Fact]
    public void RowWindowAndLag_UsePreviousRowsPerEntity_NeverTheSameTime()
    {
        var rows = Compute("""[{"name": "m2", "column": "delay", "aggregate": "mean", "rows": 2}, {"name": "prev", "column": "delay", "lag": 1}, {"name": "prev_dest", "column": "destination", "lag": 1}, {"name": "twice", "expression": "prev * 2 + 1"}]""",
            ("LAS", "2001-01-01", 5, "SFO"),
            ("DTW", "2001-01-01", 1, "LAS"),
            ("DTW", "2001-01-02", 2, "ORD"),
            ("DTW", "2001-01-02", 3, "JFK"),
            ("DTW", "2001-01-05", 4, "BOS"));

        // Result order: entity (ordinal), then time, then source order.
        Assert.Equal(["DTW", "DTW", "DTW", "DTW", "LAS"], rows.Keys);
        Assert.Equal([null, 1, 1, 2.5, null], Numbers(rows, 0));
        Assert.Equal([null, 1, 1, 3, null], Numbers(rows, 1));
        Assert.Equal([null, "LAS", "LAS", "JFK", null], Enumerable.Range(0, 5).Select(r => (string?)rows.ValueAt(2, r)));
        Assert.Equal([null, 3, 3, 7, null], Numbers(rows, 3));
    }

    [Fact]
    public void WindowAggregator_MatchesBruteForce_OnRealFlights()
    {
        var flights = FlightsData.Flights20k.Where(f => f.Origin == "ORD").ToList();
        var rows = Compute("""[{"name": "m", "column": "delay", "aggregate": "mean", "window": "P2D"}, {"name": "mx", "column": "delay", "aggregate": "max", "rows": 5}]""",
            flights.Select(f => (f.Origin, f.Date, f.Delay, f.Destination)).ToArray());
        var times = flights.Select(f => { EventTime.TryParse(f.Date, out var t); return t; }).ToArray();
        var sorted = Enumerable.Range(0, flights.Count).OrderBy(i => times[i]).ThenBy(i => i).ToArray();

        for (var r = 0; r < sorted.Length; r++)
        {
            var t = times[sorted[r]];
            var window = flights.Where((_, i) => times[i] < t && times[i] > t - TimeSpan.FromDays(2).Ticks).Select(f => f.Delay).ToList();
            var expectedMean = window.Count == 0 ? (double?)null : window.Average();
            Assert.Equal(expectedMean!.GetValueOrDefault(), ((double?)rows.ValueAt(0, r)).GetValueOrDefault(), 6);
            var previous = sorted.Where(i => times[i] < t).TakeLast(5).Select(i => flights[i].Delay).ToList();
            Assert.Equal(previous.Count == 0 ? null : previous.Max(), (double?)rows.ValueAt(1, r));
        }
    }
}
