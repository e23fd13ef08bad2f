using Mlops.Modeling.Evaluation;

namespace Mlops.Modeling.Tests.Evaluation;

public sealed class PromotionGateTests
{
    [Fact]
    public void Compare_ChallengerBetterByMoreThanTheMinimum_Promotes()
    {
        var verdict = PromotionGate.Compare("macroF1", challengerVersion: 3, challenger: 0.80, championVersion: 2, champion: 0.70, minImprovement: 0.05, holdoutRows: 300);

        Assert.True(verdict.Promote);
        Assert.Contains("v3 beats v2 on the same 300 holdout rows", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_ChallengerNotBetterByTheMinimum_KeepsTheChampion()
    {
        var verdict = PromotionGate.Compare("macroF1", 3, 0.72, 2, 0.70, minImprovement: 0.05, holdoutRows: 300);

        Assert.False(verdict.Promote);
        Assert.StartsWith("kept v2", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_LowerIsBetterMetric_PromotesTheSmallerError()
    {
        Assert.True(PromotionGate.Compare("rmse", 3, 1.0, 2, 2.0, 0.0, 100).Promote);
        Assert.False(PromotionGate.Compare("rmse", 3, 2.0, 2, 1.0, 0.0, 100).Promote);
    }

    [Fact]
    public void Compare_ChallengerIsAlreadyProduction_Promotes()
    {
        var verdict = PromotionGate.Compare("accuracy", 2, 0.9, 2, 0.9, 0.01, 10);

        Assert.Equal(new GateVerdict(true, "v2 is already production"), verdict);
    }

    [Fact]
    public void NoChampion_FirstModel_Promotes() => Assert.True(PromotionGate.NoChampion("accuracy", 1, 0.5).Promote);
}
