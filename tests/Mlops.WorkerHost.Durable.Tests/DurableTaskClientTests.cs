using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>Orchestrations run by the engine, driven through Microsoft's <see cref="DurableTaskClient"/> on the sidecar.</summary>
public sealed class DurableTaskClientTests(SharedEngineFixture fixture) : IClassFixture<SharedEngineFixture>
{
    private DurableTaskClient Client => fixture.Harness.Client;

    private async Task<OrchestrationMetadata> RunAsync(string name, object? input = null, int timeoutSeconds = 60)
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(name, input);
        return await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(timeoutSeconds));
    }

    [Fact]
    public async Task Chain_ThreeActivities_ReturnsResultsInOrder()
    {
        var result = await RunAsync("Chain", new[] { "Tokyo", "Seattle", "London" });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello Tokyo!", "Hello Seattle!", "Hello London!"], result.ReadOutputAs<List<string>>());
    }

    [Fact]
    public async Task FanOut_HundredActivities_SumsAllResults()
    {
        var result = await RunAsync("FanOut", 100, timeoutSeconds: 120);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(Enumerable.Range(1, 100).Sum(i => i * i), result.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Timer_ThreeSeconds_FiresWithinASecondOfDueTime()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await RunAsync("Timer");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        // DTFx's Azure Storage provider delays a timer message by its remaining time in whole seconds (the queue's
        // visibility unit), so a timer can fire up to a second early: on Azure as here.
        Assert.True(result.ReadOutputAs<double>() >= 2, $"timer fired after {result.ReadOutputAs<double>()} s of orchestration time");
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(2), $"completed after {started.Elapsed}");
    }

    [Fact]
    public async Task RaiseEvent_WaitingOrchestration_CompletesWithEventDataAndShowsCustomStatus()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("WaitEvent");
        var waiting = await Wait.UntilAsync(
            () => Client.GetInstanceAsync(id, getInputsAndOutputs: true), m => m?.SerializedCustomStatus is not null, TimeSpan.FromSeconds(30), "custom status");

        await Client.RaiseEventAsync(id, "Approval", "yes");
        var result = await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout());

        Assert.Equal("waiting", waiting!.ReadCustomStatusAs<string>());
        Assert.Equal("approved: yes", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task SubOrchestration_ChainAsChild_ReturnsChildOutput()
    {
        var result = await RunAsync("Parent", new[] { "A", "B" });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello A!", "Hello B!"], result.ReadOutputAs<List<string>>());
    }

    [Fact]
    public async Task RetryPolicy_ActivityFailsTwice_SucceedsOnThirdAttempt()
    {
        var result = await RunAsync("Retry");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("ok after 3", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task ActivityFailure_CaughtInOrchestrator_CarriesExceptionTypeAndMessage()
    {
        var result = await RunAsync("CatchFailure");

        Assert.Equal("System.InvalidOperationException|kaboom", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task ActivityFailure_Uncaught_FailsOrchestrationWithDetails()
    {
        var result = await RunAsync("Uncaught");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.True(result.FailureDetails is not null, $"output: {result.SerializedOutput}");
        Assert.Equal("Microsoft.DurableTask.TaskFailedException", result.FailureDetails!.ErrorType);
        Assert.Contains("kaboom", result.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownActivity_FailsOrchestrationNamingTheActivity()
    {
        var result = await RunAsync("CallsMissing");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Contains("Missing", result.FailureDetails?.ErrorMessage ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOrchestrator_FailsWithClearMessage()
    {
        var result = await RunAsync("NoSuchOrchestrator");

        Assert.Equal(OrchestrationRuntimeStatus.Failed, result.RuntimeStatus);
        Assert.Contains("NoSuchOrchestrator", result.FailureDetails?.ErrorMessage + result.SerializedOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContinueAsNew_ThreeGenerations_CompletesWithLastInput()
    {
        var result = await RunAsync("Counter", 0);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(3, result.ReadOutputAs<int>());
    }

    [Fact]
    public async Task Terminate_RunningInstance_EndsTerminatedWithOutput()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Loop");
        await Client.WaitForInstanceStartAsync(id, Wait.Timeout());

        await Client.TerminateInstanceAsync(id, "enough");
        var result = await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout());

        Assert.Equal(OrchestrationRuntimeStatus.Terminated, result.RuntimeStatus);
        Assert.Equal("enough", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task SuspendResume_EventWhileSuspended_RunsOnlyAfterResume()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Loop");
        await Client.WaitForInstanceStartAsync(id, Wait.Timeout());

        await Client.SuspendInstanceAsync(id, "pause");
        await Wait.UntilAsync(() => Client.GetInstanceAsync(id), m => m?.RuntimeStatus == OrchestrationRuntimeStatus.Suspended, TimeSpan.FromSeconds(30), "Suspended");
        await Client.RaiseEventAsync(id, "Stop", "now");
        var whileSuspended = await Client.GetInstanceAsync(id);
        await Client.ResumeInstanceAsync(id, "go");
        var result = await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout());

        Assert.Equal(OrchestrationRuntimeStatus.Suspended, whileSuspended!.RuntimeStatus);
        Assert.Equal("stopped: now", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task StartInstance_DuplicateIdWhileRunning_ThrowsAlreadyExists()
    {
        var id = "dup-" + Guid.NewGuid().ToString("N");
        await Client.ScheduleNewOrchestrationInstanceAsync("Loop", new StartOrchestrationOptions(id));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => Client.ScheduleNewOrchestrationInstanceAsync("Loop", new StartOrchestrationOptions(id)));

        Assert.Contains("AlreadyExists", ex.GetType().Name + ex.Message + ex.InnerException?.Message, StringComparison.Ordinal);
        await Client.TerminateInstanceAsync(id);
    }

    [Fact]
    public async Task StartInstance_SameIdAfterCompletion_ReplacesInstance()
    {
        var id = "again-" + Guid.NewGuid().ToString("N");
        await Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "one" }, new StartOrchestrationOptions(id));
        await Client.WaitForInstanceCompletionAsync(id, Wait.Timeout());

        await Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "two" }, new StartOrchestrationOptions(id));
        var result = await Wait.UntilAsync(
            () => Client.GetInstanceAsync(id, getInputsAndOutputs: true),
            m => m?.RuntimeStatus == OrchestrationRuntimeStatus.Completed && m.SerializedOutput!.Contains("two", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60),
            "second run");

        Assert.Equal(["Hello two!"], result!.ReadOutputAs<List<string>>());
    }

    [Fact]
    public async Task GetInstance_UnknownId_ReturnsNull()
    {
        Assert.Null(await Client.GetInstanceAsync("no-such-instance-" + Guid.NewGuid().ToString("N")));
    }

    [Fact]
    public async Task Query_ByInstanceIdPrefix_ReturnsOnlyMatchingInstances()
    {
        var prefix = "q" + Guid.NewGuid().ToString("N")[..8] + "-";
        foreach (var i in Enumerable.Range(0, 3))
        {
            await Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "x" }, new StartOrchestrationOptions(prefix + i));
        }

        var found = new List<OrchestrationMetadata>();
        await foreach (var m in Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix, FetchInputsAndOutputs = true }))
        {
            found.Add(m);
        }

        Assert.Equal([prefix + "0", prefix + "1", prefix + "2"], found.Select(m => m.InstanceId).Order());
    }

    [Fact]
    public async Task Purge_CompletedInstance_RemovesIt()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "p" });
        await Client.WaitForInstanceCompletionAsync(id, Wait.Timeout());

        var purged = await Client.PurgeInstanceAsync(id);

        Assert.Equal(1, purged.PurgedInstanceCount);
        Assert.Null(await Client.GetInstanceAsync(id));
    }

    [Fact]
    public async Task Restart_CompletedInstance_RunsAgainWithSameInput()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "r" });
        await Client.WaitForInstanceCompletionAsync(id, Wait.Timeout());

        var newId = await Client.RestartAsync(id, restartWithNewInstanceId: true);
        var result = await Client.WaitForInstanceCompletionAsync(newId, getInputsAndOutputs: true, Wait.Timeout());

        Assert.NotEqual(id, newId);
        Assert.Equal(["Hello r!"], result.ReadOutputAs<List<string>>());
        Assert.Equal(JsonSerializer.Serialize(new[] { "r" }), result.SerializedInput);
    }

    [Fact]
    public async Task ClientBindingJson_AsTheWorkerReadsIt_GivesAUsableSidecarAndHttpBase()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(fixture.Harness.Engine.ClientBindingJson(new Uri("http://localhost:7071/"), null))!.AsObject();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(json["rpcBaseUrl"]!.GetValue<string>());
        await using var client = new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClient(
            "binding", new Microsoft.DurableTask.Client.Grpc.GrpcDurableTaskClientOptions { Channel = channel }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.Equal("http://localhost:7071/runtime/webhooks/durabletask", json["httpBaseUrl"]!.GetValue<string>());
        Assert.Equal("SharedHub", json["taskHubName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", json["connectionName"]!.GetValue<string>());
        Assert.Equal("", json["requiredQueryStringParameters"]!.GetValue<string>());
        Assert.True(json["maxGrpcMessageSizeInBytes"]!.GetValue<int>() > 0);
        Assert.Equal(TimeSpan.FromSeconds(100), JsonSerializer.Deserialize<TimeSpan>(json["grpcHttpClientTimeout"]!.GetValue<string>()));
        Assert.Null(await client.GetInstanceAsync("none-" + Guid.NewGuid().ToString("N")));
    }
}
