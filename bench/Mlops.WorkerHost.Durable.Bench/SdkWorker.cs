using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Grpc;

namespace Mlops.WorkerHost.Durable.Bench;

/// <summary>The worker side through the engine: Microsoft's SDK runs the orchestrators on the base64 requests.</summary>
internal sealed class SdkWorker : IDurableFunctionInvoker
{
    private readonly Dictionary<string, ITaskOrchestrator> _orchestrators = new()
    {
        ["Chain"] = new Orchestrator(async (ctx, n) =>
        {
            var sum = 0;
            for (var i = 1; i <= n; i++)
            {
                sum += await ctx.CallActivityAsync<int>("Square", i);
            }

            return sum;
        }),
        ["FanOut"] = new Orchestrator(async (ctx, n) =>
            (await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)))).Sum()),
    };

    public bool IsOrchestrator(string functionName) => _orchestrators.ContainsKey(functionName);

    public bool IsActivity(string functionName) => functionName == "Square";

    /// <summary>Episodes run and the time spent in the SDK's runner, since the last <see cref="TakeStats"/>.</summary>
    private long _episodes;
    private long _runnerTicks;

    public (long Episodes, TimeSpan Runner) TakeStats() =>
        (Interlocked.Exchange(ref _episodes, 0), TimeSpan.FromTicks(Interlocked.Exchange(ref _runnerTicks, 0)));

    public Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = GrpcOrchestrationRunner.LoadAndRun(encodedRequest, _orchestrators[functionName]);
        Interlocked.Increment(ref _episodes);
        Interlocked.Add(ref _runnerTicks, System.Diagnostics.Stopwatch.GetElapsedTime(started).Ticks);
        return Task.FromResult(response);
    }

    public Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken)
    {
        var x = JsonSerializer.Deserialize<int>(inputJson!);
        return Task.FromResult<string?>(JsonSerializer.Serialize(x * x));
    }

    private sealed class Orchestrator(Func<TaskOrchestrationContext, int, Task<int>> body) : TaskOrchestrator<int, int>
    {
        public override Task<int> RunAsync(TaskOrchestrationContext context, int input) => body(context, input);
    }
}
