using Microsoft.DurableTask.Client;
using Mlops.Testing;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>
/// Work in flight is never lost: an invoker that fails for infrastructure reasons, and an engine stopped mid-run
/// and replaced by a new one on the same hub, still bring every instance to the right output.
/// </summary>
public sealed class CrashRecoveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static string Hub(string name) => name + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task InvokeActivity_InfrastructureFailureTwice_WorkItemRetriedAndOrchestrationCompletes()
    {
        var invoker = Scenarios.Register(new SdkInvoker());
        var failures = 0;
        invoker.BeforeActivity = (_, _) => Interlocked.Increment(ref failures) <= 2
            ? throw new IOException("worker process exited")
            : Task.CompletedTask;
        await using var harness = await EngineHarness.StartAsync(EngineHarness.Options(azurite.ConnectionString, Hub("Infra")), invoker);

        var id = await harness.Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "a", "b" });
        var result = await harness.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(120));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(["Hello a!", "Hello b!"], result.ReadOutputAs<List<string>>());
        Assert.True(failures >= 4, $"activity invocations: {failures}");
    }

    [Fact]
    public async Task InvokeOrchestrator_InfrastructureFailureOnce_EpisodeRetriedAndOrchestrationCompletes()
    {
        var invoker = new FailingOrchestratorInvoker(Scenarios.Register(new SdkInvoker()), failures: 1);
        await using var harness = await EngineHarness.StartAsync(EngineHarness.Options(azurite.ConnectionString, Hub("OrchInfra")), invoker);

        var id = await harness.Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { "z" });
        var result = await harness.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(120));

        Assert.Equal(["Hello z!"], result.ReadOutputAs<List<string>>());
        Assert.Equal(0, invoker.RemainingFailures);
    }

    [Fact]
    public async Task EngineRestart_StoppedWithActivitiesInFlight_NewEngineCompletesEveryInstance()
    {
        var options = EngineHarness.Options(azurite.ConnectionString, Hub("Restart"));
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Scenarios.Register(new SdkInvoker());
        first.BeforeActivity = async (_, ct) =>
        {
            // The first engine's activities hang until the engine goes away, like a worker that dies mid-call.
            blocked.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };

        var ids = new List<(string Id, object Expected)>();
        await using (var harness = await EngineHarness.StartAsync(options, first))
        {
            foreach (var i in Enumerable.Range(0, 5))
            {
                var id = await harness.Client.ScheduleNewOrchestrationInstanceAsync("Chain", new[] { $"n{i}", $"m{i}" });
                ids.Add((id, $"""["Hello n{i}!","Hello m{i}!"]"""));
            }

            var fan = await harness.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", 20);
            ids.Add((fan, Enumerable.Range(1, 20).Sum(x => x * x).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await blocked.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        await using var second = await EngineHarness.StartAsync(options, Scenarios.Register(new SdkInvoker()));
        foreach (var (id, expected) in ids)
        {
            var result = await second.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(180));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal(expected, result.SerializedOutput);
        }
    }

    [Fact]
    public async Task InvokeActivity_RunsLongerThanVisibilityTimeout_RunsOnce()
    {
        // DTFx renews the work item's visibility while the activity runs, so a short timeout (quick recovery after
        // a crash) does not make long activities run twice.
        var invoker = Scenarios.Register(new SdkInvoker());
        var runs = 0;
        invoker.Activity<int, int>("Slow", async (seconds, _, ct) =>
        {
            Interlocked.Increment(ref runs);
            await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
            return seconds;
        });
        invoker.Orchestrator<int, int>("CallsSlow", async (ctx, seconds) => await ctx.CallActivityAsync<int>("Slow", seconds));
        var options = EngineHarness.Options(azurite.ConnectionString, Hub("Slow"));
        options.WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(5);
        await using var harness = await EngineHarness.StartAsync(options, invoker);

        var id = await harness.Client.ScheduleNewOrchestrationInstanceAsync("CallsSlow", 12);
        var result = await harness.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(120));

        Assert.Equal(12, result.ReadOutputAs<int>());
        Assert.Equal(1, runs);
    }

    /// <summary>Fails the first orchestrator invocations as a dead worker would, then delegates.</summary>
    private sealed class FailingOrchestratorInvoker(IDurableFunctionInvoker inner, int failures) : IDurableFunctionInvoker
    {
        private int _remaining = failures;

        public int RemainingFailures => Math.Max(0, Volatile.Read(ref _remaining));

        public bool IsOrchestrator(string functionName) => inner.IsOrchestrator(functionName);

        public bool IsActivity(string functionName) => inner.IsActivity(functionName);

        public Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref _remaining) >= 0
                ? throw new IOException("worker process exited")
                : inner.InvokeOrchestratorAsync(functionName, instanceId, encodedRequest, cancellationToken);

        public Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken) =>
            inner.InvokeActivityAsync(functionName, instanceId, inputJson, cancellationToken);
    }
}
