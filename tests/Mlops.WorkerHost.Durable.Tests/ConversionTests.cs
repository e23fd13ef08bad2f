namespace Mlops.WorkerHost.Durable.Tests;

public sealed class ConversionTests
{
    [Fact]
    public void Parse_WorkerFailureMessage_SplitsTypeMessageAndStack()
    {
        var details = FailureMessageParser.Parse("Result: Failure\nException: System.InvalidOperationException: kaboom\n   at Foo()\nStack:    at Foo() in Foo.cs:line 1");

        Assert.Equal("System.InvalidOperationException", details.ErrorType);
        Assert.Equal("kaboom", details.ErrorMessage);
        Assert.Equal("   at Foo() in Foo.cs:line 1", details.StackTrace);
        Assert.False(details.IsNonRetriable);
    }

    [Fact]
    public void Parse_ExceptionOfTypeWasThrown_TakesTypeWithEmptyMessage()
    {
        var details = FailureMessageParser.Parse("Result: Failure\nException: Exception of type 'App.Custom+Failure' was thrown.\nStack: s");

        Assert.Equal("App.Custom+Failure", details.ErrorType);
        Assert.Equal("", details.ErrorMessage);
    }

    [Fact]
    public void Parse_UnrecognisedMessage_KeepsItWhole()
    {
        var details = FailureMessageParser.Parse("something else");

        Assert.Equal("(unknown)", details.ErrorType);
        Assert.Equal("something else", details.ErrorMessage);
    }

    [Theory]
    [InlineData("[\"Tokyo\"]", "\"Tokyo\"")]
    [InlineData("[{\"a\":1}]", "{\"a\":1}")]
    [InlineData("[]", null)]
    [InlineData("[null]", null)]
    [InlineData(null, null)]
    public void UnwrapInput_OneElementArray_ReturnsElementJson(string? input, string? expected)
    {
        Assert.Equal(expected, ActivityMiddleware.UnwrapInput(input));
    }
}
