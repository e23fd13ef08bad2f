using Mlops.Core.Data;
using Mlops.Modeling.Evaluation;

namespace Mlops.Modeling.Tests.Evaluation;

public sealed class FairHoldoutTests
{
    private static DataTable Table(params (double X, string? C)[] rows) =>
        new([new NumericColumn("x", rows.Select(r => r.X).ToArray()), new StringColumn("c", rows.Select(r => r.C).ToArray())], rows.Length);

    [Fact]
    public void Select_RowsTheChampionTrainedOn_LeftOut()
    {
        var championTrain = Table((1, "a"), (2, "b"), (3, null));
        var holdout = Table((2, "b"), (4, "b"), (3, null), (3, ""));
        var rows = FairHoldout.Select(holdout, TrainingRows.Of(championTrain, [0, 1, 2]));
        // (2,b) and (3,null) were trained on; (3,"") is the same row as (3,null) once read back from CSV, so it goes too.
        Assert.Equal([1], rows);
    }

    [Fact]
    public void Fingerprint_ColumnOrderAndAssembly_DoNotMatter()
    {
        var a = new DataTable([new NumericColumn("x", [1.5]), new StringColumn("c", ["k"])], 1);
        var b = new DataTable([new StringColumn("c", ["k"]), new NumericColumn("x", [1.5])], 1);
        Assert.Equal(TrainingRows.Fingerprint(a, 0), TrainingRows.Fingerprint(b, 0));
        Assert.NotEqual(TrainingRows.Fingerprint(a, 0), TrainingRows.Fingerprint(new DataTable([new NumericColumn("x", [1.5000001]), new StringColumn("c", ["k"])], 1), 0));
    }

    [Fact]
    public void TrainingRows_Json_RoundTrips()
    {
        var rows = TrainingRows.Of(Table((1, "a"), (2, "b"), (1, "a")), [0, 1, 2]);
        Assert.Equal(2, rows.Rows.Count);
        Assert.Equal(rows.Rows, TrainingRows.FromJson(rows.ToJson()).Rows);
    }
}
