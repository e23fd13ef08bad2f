using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Core.Tests;

public class ProjectSpecParserTests
{
    [Fact]
    public void Parse_MinimalSpec_FillsDefaults()
    {
        var spec = ProjectSpecParser.Parse("""{"target":"weather","task":"multiclass"}""");

        Assert.Equal("macroF1", spec.Metric);
        Assert.Equal(0.2, spec.HoldoutFraction);
        Assert.Equal(42, spec.Seed);
        Assert.Equal(["lightgbm", "fasttree", "fastforest", "lbfgs", "sdca"], spec.Trainers);
        Assert.Equal(15, spec.Search.MaxCandidates);
        Assert.Equal(3, spec.Search.Folds);
        Assert.Equal("0 0 3 * * *", spec.Retrain.Schedule);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    public void Parse_FoldsOutOfRange_ViolationNamesTheField(int folds)
    {
        var error = Assert.Throws<MlopsException>(() => ProjectSpecParser.Parse($$$"""{"target":"weather","task":"multiclass","search":{"folds":{{{folds}}}}}"""));
        Assert.Contains(error.Violations, v => v.Field == "search.folds" && v.Rule == "range");
    }

    [Fact]
    public void Parse_DesignDocExample_RoundTrips()
    {
        const string json = """
        {"target":"weather","task":"multiclass","features":null,"ignore":["date"],"metric":"macroF1",
         "trainers":["lightgbm","fasttree","sdca"],"search":{"maxCandidates":12},"holdoutFraction":0.2,"seed":42,
         "promotion":{"minImprovement":0.0},
         "retrain":{"schedule":"0 0 3 * * *","driftThreshold":{"psi":0.2,"ksPValue":0.01},"cooldownMinutes":60,"minNewRows":100}}
        """;
        var spec = ProjectSpecParser.Parse(json);

        Assert.Equal(["date"], spec.Ignore);
        Assert.Equal(0.01, spec.Retrain.DriftThreshold.KsPValue);
        var again = ProjectSpecParser.Parse(System.Text.Json.JsonSerializer.Serialize(spec, SpecJson.Options));
        Assert.Equal(spec.Ignore, again.Ignore);
        Assert.Equal(spec.Retrain, again.Retrain);
    }

    [Fact]
    public void Parse_NullSchedule_StaysNullAfterRoundTrip()
    {
        var spec = ProjectSpecParser.Parse("""{"target":"y","task":"binary","retrain":{"schedule":null}}""");

        var again = ProjectSpecParser.Parse(System.Text.Json.JsonSerializer.Serialize(spec, SpecJson.Options));

        Assert.Null(again.Retrain.Schedule);
    }

    [Theory]
    [InlineData("""{"task":"binary"}""", "target", "required")]
    [InlineData("""{"target":"y","task":"ranking"}""", "task", "type")]
    [InlineData("""{"target":"y","task":"regression","metric":"macroF1"}""", "metric", "enum")]
    [InlineData("""{"target":"y","task":"binary","holdoutFraction":0.9}""", "holdoutFraction", "range")]
    [InlineData("""{"target":"y","task":"binary","trainers":["xgboost"]}""", "trainers[0]", "enum")]
    [InlineData("""{"target":"y","task":"binary","retrain":{"schedule":"* * * * *"}}""", "retrain.schedule", "cron")]
    [InlineData("""{"target":"y","task":"binary","features":["y"]}""", "features", "target")]
    [InlineData("""{"target":"y","task":"binary","seed":"abc"}""", "seed", "type")]
    public void Parse_BadField_NamesFieldAndRule(string json, string field, string rule)
    {
        var ex = Assert.Throws<MlopsException>(() => ProjectSpecParser.Parse(json));

        Assert.Equal(ErrorCode.InvalidInput, ex.Code);
        Assert.Contains(ex.Violations, v => v.Field == field && v.Rule == rule);
    }

    [Theory]
    [InlineData("weather", true)]
    [InlineData("a1-b2", true)]
    [InlineData("A", false)]
    [InlineData("../etc", false)]
    [InlineData("-lead", false)]
    [InlineData("x", false)]
    public void ResourceName_IsValid_FollowsPattern(string name, bool valid) => Assert.Equal(valid, ResourceName.IsValid(name));
}
