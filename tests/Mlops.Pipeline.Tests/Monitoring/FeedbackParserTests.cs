using System.Text;
using Mlops.Core.Errors;
using Mlops.Pipeline.Monitoring;

namespace Mlops.Pipeline.Tests.Monitoring;

public sealed class FeedbackParserTests
{
    private static MlopsException Fails(string body, int max = 100) =>
        Assert.Throws<MlopsException>(() => FeedbackParser.Parse(Encoding.UTF8.GetBytes(body), max));

    [Fact]
    public void Parse_ValidItems_ReturnsThemInOrder()
    {
        var items = FeedbackParser.Parse(Encoding.UTF8.GetBytes("""[{"predictionId":"a1","actual":"sun"},{"actual":3.5,"predictionId":"b2","extra":1}]"""), 100);

        Assert.Equal(["a1", "b2"], items.Select(i => i.PredictionId));
        Assert.Equal(("sun", 3.5), (items[0].Actual.GetString(), items[1].Actual.GetDouble()));
    }

    [Fact]
    public void Parse_BrokenItems_NamesEachIndexFieldAndRule()
    {
        var error = Fails("""[{"predictionId":"ok","actual":"sun"},{"actual":"rain"},{"predictionId":"x"},{"predictionId":"y","actual":{"a":1}},{"predictionId":"../etc","actual":1},{"predictionId":7,"actual":null},"no"]""");

        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.Equal(
            [("[1].predictionId", "required"), ("[2].actual", "required"), ("[3].actual", "type"), ("[4].predictionId", "pattern"),
             ("[5].predictionId", "type"), ("[5].actual", "required"), ("[6]", "type")],
            error.Violations.Select(v => (v.Field, v.Rule)));
        Assert.DoesNotContain(error.Violations, v => v.Message.Contains("../etc", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("{\"predictionId\":\"a\",\"actual\":1}", "type")]
    [InlineData("[", "json")]
    [InlineData("[]", "min-items")]
    public void Parse_BadBody_NamesRootRule(string body, string rule)
    {
        var error = Fails(body);

        Assert.Equal(("$", rule), (error.Violations[0].Field, error.Violations[0].Rule));
    }

    [Fact]
    public void Parse_TooManyItems_TooLarge()
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, 11).Select(i => $$"""{"predictionId":"p{{i}}","actual":1}""")) + "]";

        var error = Fails(body, max: 10);

        Assert.Equal((ErrorCode.TooLarge, "max-items"), (error.Code, error.Violations[0].Rule));
    }

    [Fact]
    public void Parse_ManyBrokenItems_ListsAtMostTheLimit()
    {
        var body = "[" + string.Join(',', Enumerable.Range(0, 80).Select(_ => "{}")) + "]";

        var error = Fails(body);

        Assert.Equal(FeedbackParser.MaxViolations, error.Violations.Count);
        Assert.Contains("160 rule violations", error.Message, StringComparison.Ordinal);
    }
}
