using System.Diagnostics;
using System.Globalization;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Testing;
using Mlops.WorkerHost;
using Mlops.WorkerHost.Durable;
using Mlops.WorkerHost.Durable.Bench;

// Usage: dotnet run -c Release --project bench/Mlops.WorkerHost.Durable.Bench [runs]
// Three sides, same Azurite, same task-hub settings (1 partition, queues polled at most every 200 ms, as the test app's
// host.json says), runs alternating so that load from other processes on a shared machine falls on all alike:
//   host   - the local host (FunctionsHost, as `tools/func start`) running tests/Mlops.WorkerHost.TestApp's SquareChain and
//            SquareFanOut in its isolated worker process: every episode and activity over gRPC to the worker;
//   engine - the host's Durable engine alone with Microsoft's SDK running the orchestrators in this process;
//   plain  - DTFx's TaskHubWorker with the same orchestrations as in-process classes (the issue's baseline).
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
await using var azurite = await AzuriteInstance.StartAsync();
Console.WriteLine($"{DateTime.UtcNow:u}  {Environment.ProcessorCount} cores  runs={runs} (+1 warm-up each)  Azurite in memory");

var appRoot = Path.Combine(RepoPaths.Root, "tests", "Mlops.WorkerHost.TestApp", "bin", "Release", "net10.0");
await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions
{
    ScriptRoot = appRoot,
    Port = 0,
    Environment = new Dictionary<string, string> { ["AzureWebJobsStorage"] = azurite.ConnectionString },
    HostId = "durable-bench",
    Output = TextWriter.Null,
});
var hostHub = new TaskHubOperations(new AzureStorageOrchestrationService(StorageSettings.Create(Options(host.TaskHubName!), NullLoggerFactory.Instance)));

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
    var scenarios = new[]
    {
        ("chain10", "SquareChain", "Chain", typeof(ChainOrchestration), 10),
        ("fanout100", "SquareFanOut", "FanOut", typeof(FanOutOrchestration), 100),
    };
    foreach (var (scenario, appName, engineName, type, n) in scenarios)
    {
        var hostTimes = new List<double>();
        var engineTimes = new List<double>();
        var plainTimes = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            var input = n.ToString(CultureInfo.InvariantCulture);
            var (hostMs, hostOutput) = await TimeAsync(async () =>
                await WaitAsync(hostHub.Service, await hostHub.StartAsync(appName, null, input)));
            worker.TakeStats();
            var (engineMs, engineOutput) = await TimeAsync(async () =>
                await WaitAsync(engineHub.Service, await engineHub.StartAsync(engineName, null, input)));
            var (episodes, runner) = worker.TakeStats();
            var (plainMs, plainOutput) = await TimeAsync(async () =>
                await WaitAsync(plainService, (await plainClient.CreateOrchestrationInstanceAsync(type, n)).InstanceId));
            Console.WriteLine($"  {scenario} run {i}{(i == 0 ? " (warm-up)" : "")}: host {hostMs,6:F0} ms ({hostOutput})  engine {engineMs,6:F0} ms ({engineOutput}, {episodes} episodes, {runner.TotalMilliseconds:F0} ms in the SDK runner)  plain {plainMs,6:F0} ms ({plainOutput})");
            if (i > 0)
            {
                hostTimes.Add(hostMs);
                engineTimes.Add(engineMs);
                plainTimes.Add(plainMs);
            }
        }

        var (h, e, p) = (Median(hostTimes), Median(engineTimes), Median(plainTimes));
        Console.WriteLine($"{scenario}: host median {h:F0} ms ({h / p:F2}× plain), engine median {e:F0} ms ({e / p:F2}× plain), plain DTFx median {p:F0} ms");
    }
}
finally
{
    await plainWorker.StopAsync(isForced: true);
}

DurableEngineOptions Options(string hub) => new(azurite.ConnectionString)
{
    HubName = hub, PartitionCount = 1, MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200), WorkerId = "bench",
};

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
