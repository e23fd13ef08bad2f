using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Durable;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Http;
using Mlops.LocalHost.Triggers;

namespace Mlops.LocalHost.Tests;

/// <summary>The encoding quirks of spec §2.1, §2.3, §3.3 and §8, byte for byte.</summary>
public sealed class FidelityTests
{
    [Fact]
    public void EncodeString_PlainText_IsQuotedOnceMore()
    {
        Assert.Equal("\"\\\"hello\\\"\"", PayloadEncoding.EncodeString("hello").ToJsonString(PayloadEncoding.Relaxed));
        Assert.Equal("\"4\"", PayloadEncoding.EncodeScalar(4).ToJsonString());
        Assert.Equal("\"[1,2]\"", PayloadEncoding.Encode(JsonNode.Parse("[1,2]")).ToJsonString());
        Assert.Equal("{\"a\":1}", PayloadEncoding.Encode(JsonNode.Parse("{\"a\":1}")).ToJsonString());
        Assert.Equal("\"AQID\"", PayloadEncoding.EncodeBytes([1, 2, 3]).ToJsonString());
    }

    [Fact]
    public void ActivityPayload_StringInput_MatchesSpecExampleExactly()
    {
        var (data, metadata) = ActivityDispatcher.BuildPayload("input", "SayHello", "abc", "\"Tokyo\"");

        Assert.Equal("{\"input\":\"\\\"\\\\\\\"Tokyo\\\\\\\"\\\"\"}", data.ToJsonString(PayloadEncoding.Relaxed));
        Assert.Equal("\"abc\"", metadata["instanceId"]!.GetValue<string>());
        Assert.Equal("\"Tokyo\"", metadata["data"]!.GetValue<string>());
        Assert.Equal(data["input"]!.GetValue<string>(), metadata["input"]!.GetValue<string>());
        Assert.Equal("SayHello", metadata["sys"]!["MethodName"]!.GetValue<string>());
    }

    [Fact]
    public void ActivityPayload_NoInput_IsJsonNullTextAndNoData()
    {
        var (data, metadata) = ActivityDispatcher.BuildPayload("input", "A", "abc", null);

        Assert.Equal("null", data["input"]!.GetValue<string>());
        Assert.False(metadata.ContainsKey("data"));
    }

    [Fact]
    public void ActivityPayload_ObjectInputWithSpaces_IsReserializedCompactly()
    {
        var (data, metadata) = ActivityDispatcher.BuildPayload("input", "A", "abc", "{ \"city\" : \"Tokyo\" }");

        Assert.Equal("\"{\\\"city\\\":\\\"Tokyo\\\"}\"", data["input"]!.GetValue<string>());
        Assert.Equal("Tokyo", metadata["data"]!["city"]!.GetValue<string>());
        Assert.Equal("\"Tokyo\"", metadata["city"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\"Hello Tokyo!\"", "\"Hello Tokyo!\"")]
    [InlineData("{\"a\": 1, \"b\": [1, 2]}", "{\"a\":1,\"b\":[1,2]}")]
    [InlineData("\"2024-01-01T00:00:00.000Z\"", "\"2024-01-01T00:00:00Z\"")]
    [InlineData("\"2024-01-01T10:00:00+02:00\"", "\"2024-01-01T08:00:00+00:00\"")]
    [InlineData("42", "42")]
    public void ActivityReturnValue_JsonValue_BecomesTaskCompletedResult(string returnValue, string expectedResult) =>
        Assert.Equal(expectedResult, ActivityDispatcher.ReserializeResult(JsonNode.Parse(returnValue)!));

    [Fact]
    public void ActivityFailure_Non2xx_GivesTheHostsGenericFailureDetails()
    {
        var details = ActivityDispatcher.FailureDetails("SayHello", new InvocationResult
        {
            InvocationId = Guid.NewGuid(),
            Succeeded = false,
            StatusCode = 500,
            Error = "Response status code does not indicate success: 500 (Internal Server Error).",
        });

        Assert.Equal("Microsoft.Azure.WebJobs.Host.FunctionInvocationException", details.ErrorType);
        Assert.Equal("Exception while executing function: Functions.SayHello", details.ErrorMessage);
        Assert.Equal("System.Net.Http.HttpRequestException", details.InnerFailure.ErrorType);
        Assert.False(details.IsNonRetriable);
    }

    [Fact]
    public void OutputBytes_TextThatIsValidBase64_IsDecodedUnlessBinary()
    {
        var text = new BindingDefinition(new JsonObject { ["type"] = "blob" });
        var binary = new BindingDefinition(new JsonObject { ["type"] = "blob", ["dataType"] = "binary" });

        Assert.Equal(Convert.FromBase64String("test"), OutputBinder.Bytes(JsonValue.Create("test"), text));
        Assert.Equal("hello world"u8.ToArray(), OutputBinder.Bytes(JsonValue.Create("hello world"), text));
        Assert.Equal("test"u8.ToArray(), OutputBinder.Bytes(JsonValue.Create("test"), binary));
        Assert.Equal("{\"a\":1}"u8.ToArray(), OutputBinder.Bytes(JsonNode.Parse("{\"a\":1}")!, text));
    }

    [Fact]
    public async Task HttpOutput_StringStatusAndObjectBody_WrittenAsJsonTextWithTextPlainDefault()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();

        await HttpTriggers.WriteResponseAsync(http, JsonNode.Parse("{\"statusCode\":\"418\",\"body\":{\"a\":1},\"headers\":{\"x-a\":\"b\"}}"));

        Assert.Equal(418, http.Response.StatusCode);
        Assert.Equal("text/plain", http.Response.ContentType);
        Assert.Equal("b", http.Response.Headers["x-a"].ToString());
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public async Task HttpOutput_ResAsJsonString_IsParsed()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();

        await HttpTriggers.WriteResponseAsync(http, JsonValue.Create("{\"status\":202,\"body\":\"ok\"}"));

        Assert.Equal(202, http.Response.StatusCode);
        Assert.Equal("ok", Encoding.UTF8.GetString(((MemoryStream)http.Response.Body).ToArray()));
    }

    [Fact]
    public void ControlQueue_Fnv1aOfInstanceId_PicksPartition()
    {
        Assert.Equal(0xe40c292cu, TaskHub.Fnv1a("a"));
        Assert.Equal(0x811c9dc5u, TaskHub.Fnv1a(""));
    }

    [Fact]
    public void BlobPath_Tokens_AreExtracted()
    {
        var pattern = new BlobPathPattern("incoming/{project}/{file}");

        var tokens = pattern.Match("weather/2024/data.csv")!;
        Assert.Equal("incoming", pattern.Container);
        Assert.Equal("weather", tokens["project"]);
        Assert.Equal("2024/data.csv", tokens["file"]);
        Assert.Null(new BlobPathPattern("c/{name}.csv").Match("x.txt"));
    }

    [Fact]
    public void TimerSchedule_FiveFields_IsRejectedSixFieldsWork()
    {
        Assert.Throws<InvalidOperationException>(() => new TimerSchedule("*/5 * * * *"));
        Assert.Equal(new DateTime(2024, 1, 1, 0, 5, 0, DateTimeKind.Utc), new TimerSchedule("0 */5 * * * *").Next(new DateTime(2024, 1, 1, 0, 1, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void InstanceId_BadCharacters_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => DurableClient.ValidateInstanceId("@x"));
        Assert.Throws<ArgumentException>(() => DurableClient.ValidateInstanceId("a/b"));
        DurableClient.ValidateInstanceId("good-id_1");
    }
}
