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
    [InlineData("weather-dated", "fastforest")]
    [InlineData("penguins", "lightgbm")]
    [InlineData("penguins", "lbfgs")]
    [InlineData("penguin-sex", "fasttree")]
    [InlineData("cars", "lightgbm")]
    [InlineData("cars", "fastforest")]
    public void Fit_RealData_BeatsNaiveBaseline(string dataset, string trainer)
    {
        var (_, spec) = TrainedModels.Dataset(dataset);
        var (train, holdout) = TrainedModels.Split(dataset);
        var trained = TrainedModels.Get(dataset, trainer);
        var baseline = MetricCalculator.Baseline(train, holdout, spec.Task, spec.Target);
        output.WriteLine($"{dataset}/{trainer}: model {Format(trained.Metrics)} | baseline {Format(baseline)}");

        // Log-loss is left out: class weighting (on by default for macroF1) trades calibrated probabilities for rare-class recall.
        var metrics = spec.Task == TaskKind.Regression ? new[] { "rmse", "mae", "r2" } : ["accuracy", "macroF1"];
        foreach (var metric in metrics)
        {
            Assert.True(Metrics.Improvement(metric, trained.Metrics[metric], baseline[metric]) > 0, $"{metric}: model {trained.Metrics[metric]} vs baseline {baseline[metric]}");
        }

        Assert.True(trained.TrainingDuration > TimeSpan.Zero);
        Assert.Equal(train.RowCount, trained.Fitted.TrainRows);
    }

    [Fact]
    public void Fit_Reloaded_PredictsTheSame()
    {
        var trained = TrainedModels.Get("penguin-sex", "fasttree");
        var (_, holdout) = TrainedModels.Split("penguin-sex");
        var reloaded = ModelBundle.FromParts(trained.Model.MlNetModel, trained.Model.PlanJson);
        var before = trained.Model.Predict(holdout);
        var after = reloaded.Predict(holdout);
        Assert.Equal(before.Labels, after.Labels);
        Assert.Equal(before.Probabilities, after.Probabilities);
    }

    [Fact]
    public void Fit_SameSeed_SamePredictions()
    {
        var (_, spec) = TrainedModels.Dataset("penguins");
        var (train, holdout) = TrainedModels.Split("penguins");
        var candidate = CandidateSearch.Candidates(spec with { Trainers = ["lightgbm"] }, train.RowCount)[0];
        var again = CandidateTrainer.Fit(train, spec, candidate);
        Assert.Equal(TrainedModels.Get("penguins", "lightgbm").Model.Predict(holdout).Probabilities, again.Model.Predict(holdout).Probabilities);
    }

    [Fact]
    public void Fit_ClassWeights_RaisesRareClassRecall()
    {
        // seattle-weather: "snow" and "fog" are rare; equal class weights should find more of them than no weights.
        var (_, spec) = TrainedModels.Dataset("weather");
        var (train, holdout) = TrainedModels.Split("weather");
        var baseCandidate = CandidateSearch.Candidates(spec with { Trainers = ["lbfgs"] }, train.RowCount)[0];
        var weighted = CandidateTrainer.Fit(train, spec, baseCandidate with { Parameters = new Dictionary<string, double>(baseCandidate.Parameters) { [CandidateSearch.ClassWeights] = 1 } });
        var plain = CandidateTrainer.Fit(train, spec, baseCandidate with { Parameters = new Dictionary<string, double>(baseCandidate.Parameters) { [CandidateSearch.ClassWeights] = 0 } });
        var w = MetricCalculator.Compute(weighted.Model.Predict(holdout), holdout, spec.Target);
        var p = MetricCalculator.Compute(plain.Model.Predict(holdout), holdout, spec.Target);
        output.WriteLine($"weighted macroF1 {w["macroF1"]:F4}, plain {p["macroF1"]:F4}");
        Assert.True(w["macroF1"] > p["macroF1"], $"weighted {w["macroF1"]} vs plain {p["macroF1"]}");
    }

    private static string Format(IReadOnlyDictionary<string, double> m) => string.Join(", ", m.Select(kv => $"{kv.Key}={kv.Value:F4}"));
}
