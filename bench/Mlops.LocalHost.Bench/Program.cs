using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Mlops.Durable;
using Mlops.LocalHost;
using Mlops.Testing;

BenchmarkRunner.Run<OrchestrationBenchmarks>(args: args);

/// <summary>
/// Durable overhead of the local host: a 10-activity chain and a 100-way fan-out of no-op activities, each through the
/// host (Azurite storage, handler over HTTP) next to the same activity code called directly in process.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class OrchestrationBenchmarks
{
    private AzuriteInstance _azurite = null!;
    private RunningFunctionsHost _host = null!;
    private HttpClient _http = null!;
    private DurableFunctionRegistry _direct = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await AzuriteInstance.StartAsync();
        var root = Path.Combine(RepoPaths.Root, "tests", "Mlops.LocalHost.TestHandler", "bin", "Release", "net10.0");
        _host = await FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            ScriptRoot = root,
            Environment = new Dictionary<string, string> { ["AzureWebJobsStorage"] = _azurite.ConnectionString },
            MaxQueuePollInterval = TimeSpan.FromMilliseconds(50),
            Output = TextWriter.Null,
        });
        _http = new HttpClient { BaseAddress = _host.BaseUri };
        _direct = new DurableFunctionRegistry()
            .AddActivity<string, string>("Hello", (_, name) => $"Hello {name}!")
            .AddActivity<int, int>("Noop", (_, i) => i);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private async Task<JsonNode> RunAsync(string orchestrator, int n)
    {
        using var start = await _http.PostAsync($"runtime/webhooks/durabletask/orchestrators/{orchestrator}", new StringContent(n.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8, "application/json"));
        var statusUri = JsonNode.Parse(await start.Content.ReadAsStringAsync())!["statusQueryGetUri"]!.GetValue<string>();
        while (true)
        {
            var status = JsonNode.Parse(await _http.GetStringAsync(statusUri))!;
            var s = status["runtimeStatus"]!.GetValue<string>();
            if (s == "Completed")
            {
                return status["output"]!;
            }

            if (s is "Failed" or "Terminated")
            {
                throw new InvalidOperationException($"{orchestrator} ended {s}");
            }

            await Task.Delay(2);
        }
    }

    [Benchmark(Description = "Chain of 10 activities through the host")]
    public Task<JsonNode> ChainViaHost() => RunAsync("Chain", 10);

    [Benchmark(Description = "Chain of 10 activities, direct calls")]
    public async Task<List<string?>> ChainDirect()
    {
        var results = new List<string?>();
        for (var i = 0; i < 10; i++)
        {
            results.Add(await _direct.RunActivityAsync("Hello", "i", $"\"n{i}\""));
        }

        return results;
    }

    [Benchmark(Description = "Fan-out of 100 no-op activities through the host")]
    public Task<JsonNode> FanOutViaHost() => RunAsync("FanOut", 100);

    [Benchmark(Description = "Fan-out of 100 no-op activities, direct calls")]
    public Task<string?[]> FanOutDirect() =>
        Task.WhenAll(Enumerable.Range(0, 100).Select(i => _direct.RunActivityAsync("Noop", "i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
