using System.Diagnostics;
using System.Globalization;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Testing;
using Mlops.WorkerHost.Durable;
using Mlops.WorkerHost.Durable.Bench;

// Usage: dotnet run -c Release --project bench/Mlops.WorkerHost.Durable.Bench [runs]
// The engine and plain DTFx run side by side on their own hubs and the runs alternate, so that load from other
// processes on a shared machine falls on both alike.
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
await using var azurite = await AzuriteInstance.StartAsync();
Console.WriteLine($"{DateTime.UtcNow:u}  {Environment.ProcessorCount} cores  runs={runs} (+1 warm-up each)  Azurite in memory");

var worker = new SdkWorker();
var engineOptions = Options("BenchEngine");
await using var engine = await DurableEngine.StartAsync(engineOptions, worker, NullLoggerFactory.Instance);
var engineHub = new TaskHubOperations(new AzureStorageOrchestrationService(StorageSettings.Create(engineOptions, NullLoggerFactory.Instance)));

var plainService = new AzureStorageOrchestrationService(StorageSettings.Create(Options("BenchPlain"), NullLoggerFactory.Instance));
await plainService.CreateIfNotExistsAsync();
var plainWorker = new TaskHubWorker(plainService, NullLoggerFactory.Instance);
plainWorker.AddTaskOrchestrations(typeof(ChainOrchestration), typeof(FanOutOrchestration));
plainWorker.AddTaskActivities(typeof(SquareActivity));
await plainWorker.StartAsync();
var plainClient = new TaskHubClient(plainService, loggerFactory: NullLoggerFactory.Instance);

try
{
    foreach (var (scenario, name, type, n) in new[] { ("chain10", "Chain", typeof(ChainOrchestration), 10), ("fanout100", "FanOut", typeof(FanOutOrchestration), 100) })
    {
        var engineTimes = new List<double>();
        var plainTimes = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            var (engineMs, engineOutput) = await TimeAsync(async () =>
            {
                var id = await engineHub.StartAsync(name, null, n.ToString(CultureInfo.InvariantCulture));
                return await WaitAsync(engineHub.Service, id);
            });
            var (episodes, runner) = worker.TakeStats();
            var (plainMs, plainOutput) = await TimeAsync(async () =>
            {
                var instance = await plainClient.CreateOrchestrationInstanceAsync(type, n);
                return await WaitAsync(plainService, instance.InstanceId);
            });
            Console.WriteLine($"  {scenario} run {i}{(i == 0 ? " (warm-up)" : "")}: engine {engineMs,6:F0} ms ({engineOutput}, {episodes} episodes, {runner.TotalMilliseconds:F0} ms in the SDK runner)  plain {plainMs,6:F0} ms ({plainOutput})");
            if (i > 0)
            {
                engineTimes.Add(engineMs);
                plainTimes.Add(plainMs);
            }
        }

        var e = Median(engineTimes);
        var p = Median(plainTimes);
        Console.WriteLine($"{scenario}: engine median {e:F0} ms, plain DTFx median {p:F0} ms, ratio {e / p:F2}");
    }
}
finally
{
    await plainWorker.StopAsync(isForced: true);
}

DurableEngineOptions Options(string hub) => new(azurite.ConnectionString) { HubName = hub, PartitionCount = 4, WorkerId = "bench" };

static double Median(List<double> values)
{
    values.Sort();
    return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
}

static async Task<(double Ms, string Output)> TimeAsync(Func<Task<string>> run)
{
    var sw = Stopwatch.StartNew();
    var output = await run();
    return (sw.Elapsed.TotalMilliseconds, output);
}

// Both sides are timed the same way: start, then read the instance row every 50 ms until it is Completed.
static async Task<string> WaitAsync(AzureStorageOrchestrationService service, string instanceId)
{
    while (true)
    {
        var state = (await service.GetOrchestrationStateAsync(instanceId, allExecutions: false, fetchInput: true)).FirstOrDefault();
        if (state?.OrchestrationStatus is OrchestrationStatus.Completed)
        {
            return state.Output;
        }

        if (state?.OrchestrationStatus is OrchestrationStatus.Failed or OrchestrationStatus.Terminated)
        {
            throw new InvalidOperationException($"{instanceId} ended {state.OrchestrationStatus}: {state.Output}");
        }

        await Task.Delay(50);
    }
}
