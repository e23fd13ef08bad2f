using System.Text.Json;

namespace Mlops.Durable.Tests;

public sealed class CustomHandlerPayloadTests
{
    [Fact]
    public void ReadOrchestratorRequest_HostQuotedBase64_ReturnsBase64()
    {
        JsonElement body = Parse(OrchestratorBody(ProtocolVectorTests.RequestEpisode1));

        Assert.Equal(ProtocolVectorTests.RequestEpisode1, CustomHandlerPayload.ReadOrchestratorRequest(body, "context"));
    }

    [Fact]
    public void ReadOrchestratorRequest_MissingBinding_ThrowsNamingTheBinding()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => CustomHandlerPayload.ReadOrchestratorRequest(Parse("""{"Data":{},"Metadata":{}}"""), "context"));

        Assert.Contains("Data.context", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadActivityInput_SpecExampleTokyo_ReturnsRawJsonText()
    {
        // The exact §3.3 example.
        JsonElement body = Parse("""
            {"Data":{"input":"\"\\\"Tokyo\\\"\""},
             "Metadata":{"instanceId":"\"abc\"","input":"\"\\\"Tokyo\\\"\"","data":"\"Tokyo\"",
                         "sys":{"MethodName":"SayHello","UtcNow":"2024-01-01T00:00:00Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
            """);

        Assert.Equal("\"Tokyo\"", CustomHandlerPayload.ReadActivityInput(body, "input"));
        Assert.Equal("abc", CustomHandlerPayload.ReadInstanceId(body));
    }

    [Theory]
    [InlineData("""{"Data":{"input":"null"}}""", null)]
    [InlineData("""{"Data":{}}""", null)]
    [InlineData("""{"Data":{"input":"\"{\\\"a\\\":1}\""}}""", """{"a":1}""")]
    [InlineData("""{"Data":{"input":"\"42\""}}""", "42")]
    [InlineData("""{"Data":{"input":{"a":1}}}""", """{"a":1}""")]
    public void ReadActivityInput_EncodingVariants_ReturnsRawInput(string bodyJson, string? expected)
    {
        Assert.Equal(expected, CustomHandlerPayload.ReadActivityInput(Parse(bodyJson), "input"));
    }

    [Fact]
    public void CreateOrchestratorResponseBody_Base64_IsSingleEncodedString()
    {
        string body = CustomHandlerPayload.CreateOrchestratorResponseBody("ab+/cd==");

        Assert.Equal("""{"ReturnValue":"ab+/cd=="}""", body);
    }

    [Theory]
    [InlineData("\"Hello Tokyo!\"", """{"ReturnValue":"Hello Tokyo!"}""")]
    [InlineData("""{"a":1}""", """{"ReturnValue":{"a":1}}""")]
    [InlineData(null, """{"ReturnValue":null}""")]
    public void CreateActivityResponseBody_Result_IsTheJsonValueItself(string? result, string expected)
    {
        Assert.Equal(expected, CustomHandlerPayload.CreateActivityResponseBody(result));
    }

    [Fact]
    public async Task InvokeOrchestratorAsync_Episode1Body_ReturnsVectorResponseBody()
    {
        JsonElement body = Parse(OrchestratorBody(ProtocolVectorTests.RequestEpisode1));

        string response = await ProtocolVectorTests.Hello().InvokeOrchestratorAsync(body, "context");

        Assert.Equal($$"""{"ReturnValue":"{{ProtocolVectorTests.ResponseEpisode1}}"}""", response);
    }

    [Fact]
    public async Task InvokeActivityAsync_TokyoBody_ReturnsGreetingValue()
    {
        JsonElement body = Parse("""{"Data":{"input":"\"\\\"Tokyo\\\"\""},"Metadata":{"instanceId":"\"abc\""}}""");

        string response = await ProtocolVectorTests.Hello().InvokeActivityAsync("SayHello", body, "input");

        Assert.Equal("""{"ReturnValue":"Hello Tokyo!"}""", response);
    }

    [Fact]
    public async Task InvokeActivityAsync_ActivityThrows_ExceptionPropagatesForHttp500()
    {
        var registry = new DurableFunctionRegistry().AddActivity<int, int>("Boom", int (ActivityContext context, int value) => throw new InvalidOperationException("boom " + value));
        JsonElement body = Parse("""{"Data":{"input":"\"7\""},"Metadata":{}}""");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.InvokeActivityAsync("Boom", body, "input"));

        Assert.Equal("boom 7", error.Message);
    }

    [Fact]
    public async Task InvokeActivityAsync_UnknownActivity_ThrowsArgumentExceptionNamingIt()
    {
        JsonElement body = Parse("""{"Data":{"input":"null"},"Metadata":{}}""");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ProtocolVectorTests.Hello().InvokeActivityAsync("Nope", body, "input"));

        Assert.Contains("'Nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadDurableClientPayload_DoubleEncoded_ReturnsJsonText()
    {
        JsonElement body = Parse("""{"Data":{"starter":"\"{\\\"taskHubName\\\":\\\"hub\\\"}\""}}""");

        Assert.Equal("""{"taskHubName":"hub"}""", CustomHandlerPayload.ReadDurableClientPayload(body, "starter"));
    }

    // The host JSON-quotes the base64 once more (§3.2): {"Data":{"context":"\"<base64>\""}}.
    internal static string OrchestratorBody(string base64) =>
        JsonSerializer.Serialize(new { Data = new { context = JsonSerializer.Serialize(base64) }, Metadata = new { sys = new { MethodName = "Hello" } } });

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
