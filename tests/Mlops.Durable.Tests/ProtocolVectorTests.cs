using Google.Protobuf;
using Mlops.Durable.Protocol;
using Mlops.Durable.Tests.Infrastructure;

namespace Mlops.Durable.Tests;

/// <summary>The §4.5 vectors, byte for byte, through our .proto and through the engine.</summary>
public sealed class ProtocolVectorTests
{
    internal const string RequestEpisode1 = "CgNhYmMiFQj///////////8BEgYIgIHIrAZyACI0CP///////////wESBgiAgcisBhofCgVIZWxsbxoJCgciVG9reW8iIgsKA2FiYxIECgJlMQ==";
    internal const string ResponseEpisode1 = "CgNhYmMSFxIVCghTYXlIZWxsbxoJCgciVG9reW8i";
    internal const string RequestEpisode2 = "CgNhYmMaFQj///////////8BEgYIgIHIrAZyABo0CP///////////wESBgiAgcisBhofCgVIZWxsbxoJCgciVG9reW8iIgsKA2FiYxIECgJlMRoUEgYIgIHIrAYyCgoIU2F5SGVsbG8aFQj///////////8BEgYIgIHIrAZ6ACIVCP///////////wESBgiBgcisBnIAIicI////////////ARIGCIGByKwGOhISEAoOIkhlbGxvIFRva3lvISI=";
    internal const string ResponseEpisode2 = "CgNhYmMSGAgBMhQIARIQCg4iSGVsbG8gVG9reW8hIg==";
    internal const string ResponseWaiting = "CgNhYmMaCwoJIndhaXRpbmci";

    private static readonly DateTime T1 = Events.T0.AddSeconds(1);

    [Fact]
    public void DecodeRequest_Episode1Vector_HasTheDocumentedEvents()
    {
        OrchestratorRequest request = OrchestrationRunner.DecodeRequest(RequestEpisode1);

        Assert.Equal("abc", request.InstanceId);
        Assert.Empty(request.PastEvents);
        Assert.Equal(2, request.NewEvents.Count);
        Assert.Equal(Events.OrchestratorStarted(Events.T0), request.NewEvents[0]);
        Assert.Equal(Events.ExecutionStarted(Events.T0, "Hello", "\"Tokyo\""), request.NewEvents[1]);
    }

    [Fact]
    public void DecodeRequest_Episode2Vector_HasTheDocumentedEvents()
    {
        OrchestratorRequest request = OrchestrationRunner.DecodeRequest(RequestEpisode2);

        OrchestratorRequest expected = Events.Request(
            [Events.OrchestratorStarted(Events.T0), Events.ExecutionStarted(Events.T0, "Hello", "\"Tokyo\""), Events.TaskScheduled(Events.T0, 0, "SayHello"), Events.OrchestratorCompleted(Events.T0)],
            [Events.OrchestratorStarted(T1), Events.TaskCompleted(T1, 0, "\"Hello Tokyo!\"")]);
        Assert.Equal(expected, request);
    }

    [Theory]
    [InlineData(RequestEpisode1)]
    [InlineData(RequestEpisode2)]
    public void EncodeRequest_DecodedVector_ReproducesTheSameBytes(string vector)
    {
        OrchestratorRequest request = OrchestrationRunner.DecodeRequest(vector);

        Assert.Equal(vector, Convert.ToBase64String(request.ToByteArray()));
    }

    [Fact]
    public void EncodeRequest_HandBuiltEpisode1_EqualsVector()
    {
        OrchestratorRequest request = Events.Request([], [Events.OrchestratorStarted(Events.T0), Events.ExecutionStarted(Events.T0, "Hello", "\"Tokyo\"")]);

        Assert.Equal(RequestEpisode1, Convert.ToBase64String(request.ToByteArray()));
    }

    [Fact]
    public void EventId_MinusOne_EncodesAsTenByteVarint()
    {
        byte[] bytes = new HistoryEvent { EventId = -1 }.ToByteArray();

        Assert.Equal(11, bytes.Length); // tag + 10-byte varint (§4, §8.8)
    }

    [Fact]
    public void EncodeResponse_HandBuiltResponses_EqualVectors()
    {
        var scheduled = new OrchestratorResponse { InstanceId = "abc" };
        scheduled.Actions.Add(new OrchestratorAction { Id = 0, ScheduleTask = new ScheduleTaskAction { Name = "SayHello", Input = "\"Tokyo\"" } });
        var completed = new OrchestratorResponse { InstanceId = "abc" };
        completed.Actions.Add(new OrchestratorAction { Id = 1, CompleteOrchestration = new CompleteOrchestrationAction { OrchestrationStatus = Protocol.OrchestrationStatus.Completed, Result = "\"Hello Tokyo!\"" } });
        var waiting = new OrchestratorResponse { InstanceId = "abc", CustomStatus = "\"waiting\"" };

        Assert.Equal(ResponseEpisode1, OrchestrationRunner.EncodeResponse(scheduled));
        Assert.Equal(ResponseEpisode2, OrchestrationRunner.EncodeResponse(completed));
        Assert.Equal(ResponseWaiting, OrchestrationRunner.EncodeResponse(waiting));
    }

    [Fact]
    public void LoadAndRun_HelloVectors_ProduceVectorResponsesByteForByte()
    {
        DurableFunctionRegistry registry = Hello();

        Assert.Equal(ResponseEpisode1, OrchestrationRunner.LoadAndRun(RequestEpisode1, registry));
        Assert.Equal(ResponseEpisode2, OrchestrationRunner.LoadAndRun(RequestEpisode2, registry));
    }

    [Fact]
    public void LoadAndRun_OrchestratorWaitingWithStatus_ProducesWaitingVector()
    {
        var registry = new DurableFunctionRegistry().AddOrchestrator<string, string>("Hello", async (context, city) =>
        {
            context.SetCustomStatus("waiting");
            return await context.WaitForExternalEvent<string>("go");
        });

        Assert.Equal(ResponseWaiting, OrchestrationRunner.LoadAndRun(RequestEpisode1, registry));
    }

    [Fact]
    public void LoadAndRun_NotBase64_ThrowsArgumentException()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => OrchestrationRunner.LoadAndRun("not base64!", Hello()));

        Assert.Contains("OrchestratorRequest", error.Message, StringComparison.Ordinal);
    }

    internal static DurableFunctionRegistry Hello() => new DurableFunctionRegistry()
        .AddOrchestrator<string, string>("Hello", (context, city) => context.CallActivityAsync<string>("SayHello", city))
        .AddActivity<string, string>("SayHello", (context, city) => $"Hello {city}!");
}
