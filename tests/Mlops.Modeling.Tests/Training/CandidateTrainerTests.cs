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
    public void Fit_ClassWeights_PredictsRareClassesMoreOften()
    {
        // seattle-weather: "snow" and "fog" are rare; with equal class weights the model names them more often.
        var (_, spec) = TrainedModels.Dataset("weather");
        var (train, holdout) = TrainedModels.Split("weather");
        var baseCandidate = CandidateSearch.Candidates(spec with { Trainers = ["lbfgs"] }, train.RowCount)[0];
        var weighted = CandidateTrainer.Fit(train, spec, baseCandidate with { Parameters = new Dictionary<string, double>(baseCandidate.Parameters) { [CandidateSearch.ClassWeights] = 1 } });
        var plain = CandidateTrainer.Fit(train, spec, baseCandidate with { Parameters = new Dictionary<string, double>(baseCandidate.Parameters) { [CandidateSearch.ClassWeights] = 0 } });
        int Rare(ModelBundle model) => model.Predict(holdout).Labels.Count(l => l is "fog" or "snow");
        output.WriteLine($"rare-class predictions: weighted {Rare(weighted.Model)}, plain {Rare(plain.Model)} (holdout truth: {Enumerable.Range(0, holdout.RowCount).Count(r => ((Mlops.Core.Data.StringColumn)holdout["weather"]).Values[r] is "fog" or "snow")})");
        Assert.True(Rare(weighted.Model) > Rare(plain.Model), "equal class weights should predict the rare classes more often");
    }

    private static string Format(IReadOnlyDictionary<string, double> m) => string.Join(", ", m.Select(kv => $"{kv.Key}={kv.Value:F4}"));
}
