using System.Diagnostics;
using System.Globalization;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Testing;
using Mlops.WorkerHost.Durable;
using Mlops.WorkerHost.Durable.Bench;

// Usage: dotnet run -c Release --project bench/Mlops.WorkerHost.Durable.Bench [runs]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
await using var azurite = await AzuriteInstance.StartAsync();
Console.WriteLine($"{DateTime.UtcNow:u}  {Environment.ProcessorCount} cores  runs={runs} (+1 warm-up)  Azurite in memory");

var results = new List<(string Name, double Median)>();
foreach (var (scenario, orchestration, n) in new[] { ("chain10", "Chain", 10), ("fanout100", "FanOut", 100) })
{
    results.Add(($"{scenario} engine", await EngineAsync(orchestration, n)));
    results.Add(($"{scenario} plain DTFx", await PlainAsync(scenario == "chain10" ? typeof(ChainOrchestration) : typeof(FanOutOrchestration), n)));
}

foreach (var (name, median) in results)
{
    Console.WriteLine($"{name,-24} median {median,8:F0} ms");
}

async Task<double> EngineAsync(string orchestration, int n)
{
    var options = Options("Engine" + orchestration);
    await using var engine = await DurableEngine.StartAsync(options, new SdkWorker(), NullLoggerFactory.Instance);
    var hub = new TaskHubOperations(new AzureStorageOrchestrationService(StorageSettings.Create(options, NullLoggerFactory.Instance)));
    return await MeasureAsync($"engine {orchestration}", async () =>
    {
        var id = await hub.StartAsync(orchestration, null, n.ToString(CultureInfo.InvariantCulture));
        return await WaitAsync(hub.Service, id);
    });
}

async Task<double> PlainAsync(Type orchestration, int n)
{
    var options = Options("Plain" + orchestration.Name[..5]);
    var service = new AzureStorageOrchestrationService(StorageSettings.Create(options, NullLoggerFactory.Instance));
    await service.CreateIfNotExistsAsync();
    var worker = new TaskHubWorker(service, NullLoggerFactory.Instance);
    worker.AddTaskOrchestrations(orchestration);
    worker.AddTaskActivities(typeof(SquareActivity));
    await worker.StartAsync();
    try
    {
        var client = new TaskHubClient(service, loggerFactory: NullLoggerFactory.Instance);
        return await MeasureAsync($"plain {orchestration.Name}", async () =>
        {
            var instance = await client.CreateOrchestrationInstanceAsync(orchestration, n);
            return await WaitAsync(service, instance.InstanceId);
        });
    }
    finally
    {
        await worker.StopAsync(isForced: true);
    }
}

DurableEngineOptions Options(string hub) => new(azurite.ConnectionString) { HubName = hub, PartitionCount = 4, WorkerId = "bench" };

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

async Task<double> MeasureAsync(string name, Func<Task<string>> run)
{
    var times = new List<double>();
    for (var i = 0; i <= runs; i++)
    {
        var sw = Stopwatch.StartNew();
        var output = await run();
        sw.Stop();
        Console.WriteLine($"  {name} run {i}{(i == 0 ? " (warm-up)" : "")}: {sw.Elapsed.TotalMilliseconds:F0} ms, output {output}");
        if (i > 0)
        {
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    return times[times.Count / 2];
}
