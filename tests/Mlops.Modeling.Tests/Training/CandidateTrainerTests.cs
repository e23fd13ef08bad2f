using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Training;
using Xunit.Abstractions;

namespace Mlops.Modeling.Tests.Training;

public sealed class CandidateTrainerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("weather", "lightgbm")]
    [InlineData("weather", "sdca")]
    [InlineData("penguins", "lightgbm")]
    [InlineData("penguins", "lbfgs")]
    [InlineData("penguin-sex", "fasttree")]
    [InlineData("cars", "lightgbm")]
    [InlineData("cars", "fastforest")]
    public void Train_RealData_BeatsNaiveBaseline(string dataset, string trainer)
    {
        var (_, spec) = TrainedModels.Dataset(dataset);
        var (train, holdout) = TrainedModels.Split(dataset);
        var trained = TrainedModels.Get(dataset, trainer);
        var baseline = MetricCalculator.Baseline(train, holdout, spec.Task, spec.Target);
        output.WriteLine($"{dataset}/{trainer}: model {Format(trained.Metrics)} | baseline {Format(baseline)}");

        var metrics = spec.Task == TaskKind.Regression ? new[] { "rmse", "mae", "r2" } : ["accuracy", "macroF1", "logLoss"];
        foreach (var metric in metrics)
        {
            Assert.True(Metrics.Improvement(metric, trained.Metrics[metric], baseline[metric]) > 0, $"{metric}: model {trained.Metrics[metric]} vs baseline {baseline[metric]}");
        }

        Assert.True(trained.TrainingDuration > TimeSpan.Zero);
        Assert.Equal(holdout.RowCount, trained.HoldoutRows);
    }

    [Fact]
    public void Train_Reloaded_PredictsTheSame()
    {
        var trained = TrainedModels.Get("penguins", "fasttree");
        var (_, holdout) = TrainedModels.Split("penguins");
        var reloaded = ModelBundle.FromParts(trained.Model.MlNetModel, trained.Model.PlanJson);
        var before = trained.Model.Predict(holdout);
        var after = reloaded.Predict(holdout);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Probabilities, after.Probabilities);
    }

    [Fact]
    public void Train_SameSeed_SameMetrics()
    {
        var (table, spec) = TrainedModels.Dataset("penguins");
        var (train, holdout) = TrainedModels.Split("penguins");
        var candidate = CandidateGrid.For(spec with { Trainers = ["lightgbm"] }, table.RowCount)[0];
        var again = CandidateTrainer.Train(train, holdout, spec, candidate);
        Assert.Equal(TrainedModels.Get("penguins", "lightgbm").Metrics, again.Metrics);
    }

    [Fact]
    public void Best_ByMetricDirection_PicksLowestRmse()
    {
        var best = CandidateTrainer.Best([TrainedModels.Get("cars", "lightgbm"), TrainedModels.Get("cars", "fastforest")], "rmse");
        Assert.Equal(Math.Min(TrainedModels.Get("cars", "lightgbm").Metrics["rmse"], TrainedModels.Get("cars", "fastforest").Metrics["rmse"]), best.Metrics["rmse"]);
    }

    private static string Format(IReadOnlyDictionary<string, double> m) => string.Join(", ", m.Select(kv => $"{kv.Key}={kv.Value:F4}"));
}
