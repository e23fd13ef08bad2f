using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.WorkerHost.Durable;

// Usage: CrashHost <storage connection string> <hub> <worker id>
// Prints "started" once the engine runs and "activity <input>" when an activity begins; activities never end.
var options = new DurableEngineOptions(args[0]) { HubName = args[1], WorkerId = args[2], PartitionCount = 2 };
await using var engine = await DurableEngine.StartAsync(options, new HangingWorker(), NullLoggerFactory.Instance);
Console.WriteLine("started");
await Task.Delay(Timeout.Infinite);

/// <summary>The "Chain" orchestrator of the tests (same code, so the surviving engine replays its history), with a hanging "Hello".</summary>
internal sealed class HangingWorker : IDurableFunctionInvoker
{
    private static readonly ITaskOrchestrator Chain = new ChainOrchestrator();

    public bool IsOrchestrator(string functionName) => functionName == "Chain";

    public bool IsActivity(string functionName) => functionName == "Hello";

    public Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken) =>
        Task.FromResult(GrpcOrchestrationRunner.LoadAndRun(encodedRequest, Chain));

    public async Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken)
    {
        Console.WriteLine($"activity {inputJson}");
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null;
    }

    private sealed class ChainOrchestrator : TaskOrchestrator<string[], List<string>>
    {
        public override async Task<List<string>> RunAsync(TaskOrchestrationContext context, string[] input)
        {
            var results = new List<string>();
            foreach (var name in input ?? [])
            {
                results.Add(await context.CallActivityAsync<string>("Hello", name));
            }

            return results;
        }
    }
}
