using System.Text.Json;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Tests.Training;

public sealed class CandidateGridTests
{
    [Fact]
    public void For_MaxCandidates_InterleavesTrainersAndCaps()
    {
        var spec = TestData.WeatherSpec("lightgbm", "fasttree", "sdca") with { Search = new SearchSpec { MaxCandidates = 4 } };
        var ids = CandidateGrid.For(spec, 1461).Select(c => c.Id).ToList();
        Assert.Equal(["lightgbm-0", "fasttree-0", "sdca-0", "lightgbm-1"], ids);
    }

    [Fact]
    public void For_Regression_SkipsClassificationOnlyTrainers()
    {
        var candidates = CandidateGrid.For(TestData.CarsSpec("lbfgs", "sdca"), 400);
        Assert.All(candidates, c => Assert.Equal("sdca", c.Trainer));
        Assert.NotEmpty(candidates);
    }

    [Fact]
    public void For_Json_RoundTrips()
    {
        var candidates = CandidateGrid.For(TestData.PenguinsSpec(TrainedModels.AllTrainers), 344);
        var json = JsonSerializer.Serialize(candidates, ModelingJson.Options);
        var back = JsonSerializer.Deserialize<List<CandidateSpec>>(json, ModelingJson.Options)!;
        Assert.Equal(candidates.Select(c => c.ToString()), back.Select(c => c.ToString()));
        Assert.Equal(candidates.Count, candidates.Select(c => c.Id).Distinct().Count());
    }
}
