using System.Text.Json;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Tests.Training;

public sealed class DataSplitTests
{
    [Fact]
    public void Split_SameSeed_SameIndices()
    {
        var (table, spec) = TrainedModels.Dataset("weather");
        var a = DataSplit.Split(table, spec);
        var b = DataSplit.Split(table, spec);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Holdout, b.Holdout);
        var other = DataSplit.Split(table, spec with { Seed = 7 });
        Assert.NotEqual(a.Holdout, other.Holdout);
    }

    [Fact]
    public void Split_Classification_EachClassHoldsItsShare()
    {
        var (table, spec) = TrainedModels.Dataset("weather");
        var split = DataSplit.Split(table, spec);
        var target = table[spec.Target];
        foreach (var label in Labels.ClassesOf(target))
        {
            var total = Enumerable.Range(0, table.RowCount).Count(r => Labels.LabelAt(target, r) == label);
            var held = split.Holdout.Count(r => Labels.LabelAt(target, r) == label);
            Assert.InRange(held, Math.Max(1, (int)Math.Floor(total * 0.2)), (int)Math.Ceiling(total * 0.2));
        }

        Assert.Empty(split.Train.Intersect(split.Holdout));
        Assert.Equal(table.RowCount, split.Train.Count + split.Holdout.Count);
    }

    [Fact]
    public void Split_MissingTarget_RowsInNeitherPart()
    {
        var (table, spec) = TrainedModels.Dataset("cars");
        var split = DataSplit.Split(table, spec);
        var target = table[spec.Target];
        var missing = Enumerable.Range(0, table.RowCount).Where(r => !Labels.HasTarget(target, r)).ToList();
        Assert.NotEmpty(missing);
        Assert.Empty(missing.Intersect(split.Train.Concat(split.Holdout)));
    }

    [Fact]
    public void Split_Json_RoundTrips()
    {
        var (table, spec) = TrainedModels.Dataset("penguins");
        var split = DataSplit.Split(table, spec);
        var back = JsonSerializer.Deserialize<SplitIndices>(JsonSerializer.Serialize(split, ModelingJson.Options), ModelingJson.Options)!;
        Assert.Equal(split.Train, back.Train);
        Assert.Equal(split.Holdout, back.Holdout);
    }

    [Fact]
    public void Folds_Classification_StratifiedDisjointAndCovering()
    {
        var spec = TestData.WeatherSpec("lightgbm");
        var table = TestData.Weather;
        var folds = DataSplit.Folds(table, spec, 3);
        Assert.Equal(3, folds.Count);
        Assert.Equal(Enumerable.Range(0, table.RowCount), folds.SelectMany(f => f.Holdout).Order());
        Assert.All(folds, f => Assert.Empty(f.Train.Intersect(f.Holdout)));
        var target = (Mlops.Core.Data.StringColumn)table["weather"];
        foreach (var label in new[] { "snow", "fog", "sun" })
        {
            var total = target.Values.Count(v => v == label);
            Assert.All(folds, f => Assert.InRange(f.Holdout.Count(r => target.Values[r] == label), (total / 3) - 1, (total / 3) + 1));
        }
    }
}
