using System.Text;
using System.Text.Json;
using Mlops.Core.Errors;

namespace Mlops.Serving.Tests;

public sealed class ScoringRequestParserTests
{
    private static readonly ScoringRequestParser Parser = new();

    private static ScoringInput Parse(string json) => Parser.Parse(Encoding.UTF8.GetBytes(json));

    private static MlopsException Fails(string json) => Assert.Throws<MlopsException>(() => Parse(json));

    private static void AssertTwoRows(ScoringInput input)
    {
        Assert.Equal(2, input.RowCount);
        Assert.Equal(12.8, input.RowAt(0)["temp_max"].GetDouble());
        Assert.Equal("x", input.RowAt(1)["city"].GetString());
        Assert.Equal(JsonValueKind.Null, input.RowAt(1)["wind"].ValueKind);
    }

    [Fact]
    public void Parse_Instances_ReturnsRows()
    {
        var input = Parse("""{"instances":[{"temp_max":12.8,"city":"a","wind":1},{"temp_max":10,"city":"x","wind":null}]}""");
        Assert.Equal(ScoringShape.Instances, input.Shape);
        Assert.NotNull(input.Rows);
        AssertTwoRows(input);
    }

    [Fact]
    public void Parse_DataframeRecords_ReturnsRows()
    {
        var input = Parse("""{"dataframe_records":[{"temp_max":12.8,"city":"a","wind":1},{"temp_max":10,"city":"x","wind":null}]}""");
        Assert.Equal(ScoringShape.DataframeRecords, input.Shape);
        AssertTwoRows(input);
    }

    [Fact]
    public void Parse_InputsAsColumns_ReturnsColumns()
    {
        var input = Parse("""{"inputs":{"temp_max":[12.8,10],"city":["a","x"],"wind":[1,null]}}""");
        Assert.Equal(ScoringShape.Inputs, input.Shape);
        Assert.NotNull(input.Columns);
        AssertTwoRows(input);
    }

    [Fact]
    public void Parse_InputsAsRecords_ReturnsRows()
    {
        var input = Parse("""{"inputs":[{"temp_max":12.8,"city":"a","wind":1},{"temp_max":10,"city":"x","wind":null}]}""");
        Assert.NotNull(input.Rows);
        AssertTwoRows(input);
    }

    [Fact]
    public void Parse_DataframeSplit_ReturnsColumnsInOrder()
    {
        var input = Parse("""{"dataframe_split":{"columns":["temp_max","city","wind"],"index":[7,8],"data":[[12.8,"a",1],[10,"x",null]]}}""");
        Assert.Equal(ScoringShape.DataframeSplit, input.Shape);
        AssertTwoRows(input);
    }

    [Theory]
    [InlineData("""{"input_data":{"instances":[{"temp_max":12.8,"city":"a","wind":1},{"temp_max":10,"city":"x","wind":null}]}}""")]
    [InlineData("""{"input_data":{"dataframe_split":{"columns":["temp_max","city","wind"],"data":[[12.8,"a",1],[10,"x",null]]}}}""")]
    [InlineData("""{"input_data":{"columns":["temp_max","city","wind"],"index":[0,1],"data":[[12.8,"a",1],[10,"x",null]]}}""")]
    [InlineData("""{"input_data":[{"temp_max":12.8,"city":"a","wind":1},{"temp_max":10,"city":"x","wind":null}]}""")]
    public void Parse_InputDataWrapper_Unwraps(string json) => AssertTwoRows(Parse(json));

    [Fact]
    public void Parse_NoShape_NamesBodyAndOneOf()
    {
        var error = Fails("""{"rows":[{"a":1}]}""");
        var violation = Assert.Single(error.Violations);
        Assert.Equal(("$", "one-of"), (violation.Field, violation.Rule));
        Assert.Contains("none", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoShapes_NamesBoth()
    {
        var error = Fails("""{"instances":[{"a":1}],"dataframe_records":[{"a":1}]}""");
        var violation = Assert.Single(error.Violations);
        Assert.Equal(("$", "one-of"), (violation.Field, violation.Rule));
        Assert.Contains("'instances' and 'dataframe_records'", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrapperBesideShape_IsOneOfError()
    {
        var error = Fails("""{"input_data":{"instances":[{"a":1}]},"instances":[{"a":1}]}""");
        Assert.Equal("one-of", Assert.Single(error.Violations).Rule);
    }

    [Theory]
    [InlineData("""{"instances":{"a":[1]}}""", "instances", "type")]
    [InlineData("""{"instances":[{"a":1},"secret-value"]}""", "instances[1]", "type")]
    [InlineData("""{"instances":[]}""", "instances", "not-empty")]
    [InlineData("""{"inputs":{"a":[1,2],"b":[1]}}""", "inputs.b", "shape")]
    [InlineData("""{"inputs":{"a":"secret-value"}}""", "inputs.a", "type")]
    [InlineData("""{"dataframe_split":{"columns":["a","b"],"data":[[1,2],[3]]}}""", "dataframe_split.data[1]", "shape")]
    [InlineData("""{"dataframe_split":{"columns":["a"],"data":[["secret-value"]],"index":[1,2]}}""", "dataframe_split.index", "shape")]
    [InlineData("""{"dataframe_split":{"data":[[1]]}}""", "dataframe_split.columns", "required")]
    [InlineData("""{"dataframe_split":{"columns":["a","a"],"data":[[1,2]]}}""", "dataframe_split.columns[1]", "duplicate")]
    [InlineData("""{"dataframe_records":[{"a":"secret-value","a":2}]}""", "dataframe_records[0].a", "duplicate")]
    [InlineData("""["secret-value"]""", "$", "type")]
    [InlineData("""{"instances":[{"a":"secret-value"}""", "$", "json")]
    [InlineData("""{"instances":[{"a":1}]} "secret-value" """, "$", "json")]
    public void Parse_BadBody_NamesFieldAndRuleWithoutEchoingValues(string json, string field, string rule)
    {
        var error = Fails(json);
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        Assert.Contains(error.Violations, v => v.Field == field && v.Rule == rule);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
        Assert.All(error.Violations, v => Assert.DoesNotContain("secret-value", v.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_EmptyBody_IsRequiredError() => Assert.Equal("required", Assert.Single(Fails("").Violations).Rule);

    [Fact]
    public void Parse_OverSizeLimit_IsTooLarge()
    {
        var parser = new ScoringRequestParser(new ServingOptions { MaxBodyBytes = 100 });
        var body = Encoding.UTF8.GetBytes("""{"instances":[""" + string.Join(",", Enumerable.Repeat("""{"a":1}""", 20)) + "]}");
        var error = Assert.Throws<MlopsException>(() => parser.Parse(body));
        Assert.Equal(ErrorCode.TooLarge, error.Code);
    }

    [Fact]
    public void Parse_OverRowLimit_IsMaxBatch()
    {
        var parser = new ScoringRequestParser(new ServingOptions { MaxBatchRows = 3 });
        var error = Assert.Throws<MlopsException>(() => parser.Parse(Encoding.UTF8.GetBytes("""{"dataframe_split":{"columns":["a"],"data":[[1],[2],[3],[4]]}}""")));
        Assert.Equal(("dataframe_split.data", "max-batch"), (error.Violations[0].Field, error.Violations[0].Rule));
    }

    [Fact]
    public void Parse_UnknownTopLevelField_IsWarnedNotEchoed()
    {
        var input = Parse("""{"instances":[{"a":1}],"params":{"x":1},"extra":"secret-value"}""");
        var warning = Assert.Single(input.Warnings);
        Assert.Contains("'extra'", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", warning, StringComparison.Ordinal);
    }
}
