using Mlops.Modeling.Evaluation;

namespace Mlops.Modeling.Tests.Evaluation;

public sealed class MetricCalculatorTests
{
    [Fact]
    public void Auc_KnownRanking_MatchesHandComputedValue()
    {
        // Pairs (pos, neg): (0.8,0.1) ok, (0.8,0.4) ok, (0.35,0.1) ok, (0.35,0.4) wrong → 3/4.
        Assert.Equal(0.75, MetricCalculator.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 10);
    }

    [Fact]
    public void Regression_KnownErrors_MatchesHandComputedValues()
    {
        var m = MetricCalculator.Regression([1, 2, 3], [1, 2, 5]);
        Assert.Equal(Math.Sqrt(4.0 / 3), m["rmse"], 10);
        Assert.Equal(2.0 / 3, m["mae"], 10);
        Assert.Equal(1 - (4.0 / 2), m["r2"], 10);
    }
}
