using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Features.Definitions;

namespace Mlops.Features.Tests;

public sealed class FeatureViewParserTests
{
    public const string ContractExample = """
        {
          "entities": ["origin"],
          "timestamp": "date",
          "source": {"project": "flights"},
          "ttl": "P30D",
          "features": [
            {"name": "distance", "column": "distance"},
            {"name": "delay_mean_7d", "column": "delay", "aggregate": "mean", "window": "P7D"},
            {"name": "delay_prev", "column": "delay", "lag": 1}
          ],
          "schedule": "0 0 * * * *"
        }
        """;

    [Fact]
    public void Parse_ContractExample_ReadsEveryField()
    {
        var spec = FeatureViewParser.Parse(ContractExample);

        Assert.Equal(["origin"], spec.Entities);
        Assert.Equal("flights", spec.Source.Project);
        Assert.Equal([FeatureKind.Column, FeatureKind.Aggregate, FeatureKind.Lag], spec.Features.Select(f => f.Kind));
        Assert.Equal(TimeSpan.FromDays(30), IsoDuration.Parse(spec.Ttl!));
    }

    [Theory]
    [InlineData("""{"timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay"}]}""", "entities", "minItems")]
    [InlineData("""{"entities": ["origin"], "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay"}]}""", "timestamp", "required")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights", "stream": "s1"}, "features": [{"name": "a", "column": "delay"}]}""", "source", "one-of")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "ttl": "P1M", "features": [{"name": "a", "column": "delay"}]}""", "ttl", "duration")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "schedule": "every hour", "features": [{"name": "a", "column": "delay"}]}""", "schedule", "cron")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay", "aggregate": "median", "window": "P7D"}]}""", "features[0].aggregate", "enum")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay", "aggregate": "mean", "window": "7 days"}]}""", "features[0].window", "duration")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay", "aggregate": "mean"}]}""", "features[0].window", "one-of")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay"}, {"name": "a", "column": "distance"}]}""", "features[1].name", "unique")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "x", "expression": "delay * (2"}]}""", "features[0].expression", "syntax")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "1x", "column": "delay"}]}""", "features[0].name", "pattern")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": "delay", "lag": 0}]}""", "features[0].lag", "range")]
    [InlineData("""{"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"}, "features": [{"name": "a", "column": 3}]}""", "features[0].column", "type")]
    public void Parse_BadDefinition_Is400NamingTheField(string json, string field, string rule)
    {
        var ex = Assert.Throws<MlopsException>(() => FeatureViewParser.Parse(json));

        Assert.Equal(ErrorCode.InvalidInput, ex.Code);
        Assert.Contains(ex.Violations, v => v.Field == field && v.Rule == rule);
    }

    [Fact]
    public void ValidateAgainst_UnknownOrNonNumericColumns_NamesEachFeature()
    {
        var spec = FeatureViewParser.Parse("""
            {"entities": ["origin"], "timestamp": "date", "source": {"project": "flights"},
             "features": [{"name": "a", "column": "delays"}, {"name": "b", "column": "destination", "aggregate": "mean", "rows": 3},
                          {"name": "c", "expression": "distance / 1000 + a"}, {"name": "d", "expression": "nope * 2"}]}
            """);
        var columns = new Dictionary<string, ColumnKind>
        {
            ["date"] = ColumnKind.Date,
            ["delay"] = ColumnKind.Numeric,
            ["distance"] = ColumnKind.Numeric,
            ["origin"] = ColumnKind.Categorical,
            ["destination"] = ColumnKind.Categorical,
        };

        var ex = Assert.Throws<MlopsException>(() => FeatureViewParser.ValidateAgainst(spec, columns));

        Assert.Equal(["features[0].column", "features[1].aggregate", "features[3].expression"], ex.Violations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("P7D", 7 * 24)]
    [InlineData("P1W", 7 * 24)]
    [InlineData("PT6H", 6)]
    [InlineData("P1DT12H", 36)]
    public void IsoDuration_FixedLengths_Parse(string text, double hours) => Assert.Equal(TimeSpan.FromHours(hours), IsoDuration.Parse(text));

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P0D")]
    [InlineData("7d")]
    public void IsoDuration_CalendarOrEmpty_IsRefused(string text) => Assert.False(IsoDuration.TryParse(text, out _));

    [Fact]
    public void Expression_Evaluates_WithPrecedenceFunctionsAndMissing()
    {
        var e = FeatureExpression.Parse("-a + b * 2 / (1 + 1) + max(abs(a), sqrt(b))");
        var eval = e.Bind(n => n == "a" ? 0 : 1);

        Assert.Equal(["a", "b"], e.Names);
        Assert.Equal(3 + 4 + 3, eval([-3, 4]));
        Assert.True(double.IsNaN(eval([double.NaN, 4])));
        Assert.True(double.IsNaN(FeatureExpression.Parse("a / b").Bind(n => n == "a" ? 0 : 1)([1, 0])));
    }
}
