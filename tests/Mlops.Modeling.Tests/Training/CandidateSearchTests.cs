using System.Text.Json;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Training;
using Xunit.Abstractions;

namespace Mlops.Modeling.Tests.Training;

public sealed class CandidateSearchTests(ITestOutputHelper output)
{
    [Fact]
    public void Candidates_MaxCandidates_DefaultsFirstThenDrawsInterleavedAndCapped()
    {
        var spec = TestData.WeatherSpec("lightgbm", "fastforest", "sdca") with { Search = new SearchSpec { MaxCandidates = 5 } };
        var candidates = CandidateSearch.Candidates(spec, 1168);
        Assert.Equal(["lightgbm-0", "fastforest-0", "sdca-0", "lightgbm-1", "fastforest-1"], candidates.Select(c => c.Id));
        Assert.Equal(31, candidates[0].Get("numberOfLeaves", 0));
        Assert.NotEqual(candidates[0].Parameters["learningRate"], candidates[3].Parameters["learningRate"]);
    }

    [Fact]
    public void Candidates_SameSeed_SameDraws_OtherSeed_OtherDraws()
    {
        var spec = TestData.PenguinsSpec(TrainedModels.AllTrainers) with { Search = new SearchSpec { MaxCandidates = 20 } };
        var a = CandidateSearch.Candidates(spec, 275).Select(c => c.ToString()).ToList();
        var b = CandidateSearch.Candidates(spec, 275).Select(c => c.ToString()).ToList();
        var c = CandidateSearch.Candidates(spec with { Seed = 7 }, 275).Select(c => c.ToString()).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(20, a.Distinct().Count());
    }

    [Fact]
    public void Candidates_MacroF1_DrawsClassWeights_Regression_Never()
    {
        var weather = CandidateSearch.Candidates(TestData.WeatherSpec("lightgbm") with { Search = new SearchSpec { MaxCandidates = 12 } }, 1168);
        Assert.Contains(weather, c => c.Get(CandidateSearch.ClassWeights, -1) == 1);
        Assert.Contains(weather, c => c.Get(CandidateSearch.ClassWeights, -1) == 0);
        var cars = CandidateSearch.Candidates(TestData.CarsSpec("lightgbm") with { Search = new SearchSpec { MaxCandidates = 6 } }, 300);
        Assert.All(cars, c => Assert.False(c.Parameters.ContainsKey(CandidateSearch.ClassWeights)));
    }

    [Fact]
    public void Candidates_Regression_SkipsClassificationOnlyTrainers()
    {
        var candidates = CandidateSearch.Candidates(TestData.CarsSpec("lbfgs", "sdca", "fastforest"), 400);
        Assert.All(candidates, c => Assert.Equal("fastforest", c.Trainer));
        Assert.NotEmpty(candidates);
    }

    [Fact]
    public void Candidates_Json_RoundTrips()
    {
        var candidates = CandidateSearch.Candidates(TestData.PenguinsSpec(TrainedModels.AllTrainers), 344);
        var json = JsonSerializer.Serialize(candidates, ModelingJson.Options);
        var back = JsonSerializer.Deserialize<List<CandidateSpec>>(json, ModelingJson.Options)!;
        Assert.Equal(candidates.Select(c => c.ToString()), back.Select(c => c.ToString()));
    }

    [Fact]
    public void Evaluate_CrossValidation_MeanOfFoldsOnTrainingRowsOnly()
    {
        var (_, spec) = TrainedModels.Dataset("penguins");
        var (train, _) = TrainedModels.Split("penguins");
        var candidate = CandidateSearch.Candidates(spec with { Trainers = ["lightgbm"] }, train.RowCount)[0];
        var score = CandidateSearch.Evaluate(train, spec, candidate);
        output.WriteLine($"{candidate}: {string.Join(", ", score.Metrics.Select(m => $"{m.Key}={m.Value:F4}"))} in {score.Seconds:F1}s");
        Assert.Equal(spec.Search.Folds, score.FoldMetrics.Count);
        Assert.Equal(score.FoldMetrics.Average(f => f["macroF1"]), score.Metrics["macroF1"], 10);
        Assert.InRange(score.Metrics["macroF1"], 0.9, 1.0);
        Assert.Equal(score.Metrics, CandidateSearch.Evaluate(train, spec, candidate).Metrics);
    }

    [Fact]
    public void Best_ByMetricDirection_PicksLowestRmse()
    {
        var spec = new CandidateSpec("a-0", "lightgbm", new Dictionary<string, double>());
        CandidateScore Score(string id, double rmse) => new(spec with { Id = id }, new Dictionary<string, double> { ["rmse"] = rmse }, [], 0);
        Assert.Equal("b", CandidateSearch.Best([Score("a", 3), Score("b", 2), Score("c", double.NaN), Score("d", 2)], "rmse").Candidate.Id);
    }

    [Fact]
    public void Rank_ByMetricDirection_BestFirstTiesInOrder()
    {
        var spec = new CandidateSpec("a-0", "lightgbm", new Dictionary<string, double>());
        CandidateScore Score(string id, double f1) => new(spec with { Id = id }, new Dictionary<string, double> { ["macroF1"] = f1 }, [], 0);
        Assert.Equal(["b", "c", "a"], WinnerExport.Rank([Score("a", 0.5), Score("b", 0.9), Score("x", double.NaN), Score("c", 0.9)], "macroF1").Select(s => s.Candidate.Id));
    }

    [Fact]
    public void FitAndExport_WinnerPassesParity_ExportsItAndSkipsNothing()
    {
        var (_, spec) = TrainedModels.Dataset("cars");
        var (train, holdout) = TrainedModels.Split("cars");
        var ranked = CandidateSearch.Candidates(spec with { Trainers = ["fasttree", "lightgbm"] }, train.RowCount);
        var winner = WinnerExport.FitAndExport(train, holdout, spec, ranked);
        Assert.Equal(ranked[0].Id, winner.Fitted.Candidate.Id);
        Assert.Empty(winner.Skipped);
        Assert.True(winner.Export.Parity.Passed);
    }
}
