using System.Diagnostics;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Testing;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>
/// A real crash: an engine in another process is killed with SIGKILL while activities run; a new engine with the same
/// worker id on the same hub finishes every instance once the dead process's messages become visible again.
/// </summary>
public sealed class KillRecoveryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task EngineProcess_KilledWithActivitiesInFlight_RestartedEngineCompletesEveryInstance()
    {
        var hub = "Kill" + Guid.NewGuid().ToString("N")[..6];
        const string workerId = "kill-test-host";
        var options = EngineHarness.Options(azurite.ConnectionString, hub);
        options.WorkerId = workerId;
        var client = new TaskHubOperations(new DurableTask.AzureStorage.AzureStorageOrchestrationService(StorageSettings.Create(options, NullLoggerFactory.Instance)));
        await client.Service.CreateIfNotExistsAsync();
        var ids = new List<string>();
        foreach (var i in Enumerable.Range(0, 4))
        {
            ids.Add(await client.StartAsync("Chain", null, $"""["k{i}","j{i}"]"""));
        }

        using (var crashHost = StartCrashHost(azurite.ConnectionString, hub, workerId, out var lines))
        {
            // Kill once every instance has an activity in flight in the doomed process.
            var started = lines;
            await Wait.UntilAsync(() => Task.FromResult(CountActivities(started)), n => n >= 4, TimeSpan.FromSeconds(90), "activities in the crash host");
            crashHost.Kill(entireProcessTree: true); // SIGKILL: no abandon, no lease release
            await crashHost.WaitForExitAsync();
        }

        var restarted = Stopwatch.StartNew();
        await using var harness = await EngineHarness.StartAsync(options, Scenarios.Register(new SdkInvoker()));
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var result = await harness.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, Wait.Timeout(180));
            Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
            Assert.Equal([$"Hello k{i}!", $"Hello j{i}!"], result.ReadOutputAs<List<string>>());
        }

        // The dead process's dequeued activity messages come back after WorkItemQueueVisibilityTimeout (30 s locally).
        Assert.True(restarted.Elapsed < TimeSpan.FromSeconds(90), $"recovery took {restarted.Elapsed}");
    }

    private static int CountActivities(List<string> lines)
    {
        lock (lines)
        {
            return lines.Count(l => l.StartsWith("activity", StringComparison.Ordinal));
        }
    }

    private static Process StartCrashHost(string connectionString, string hub, string workerId, out List<string> lines)
    {
        var dll = Path.Combine(RepoPaths.Root, "tests", "Mlops.WorkerHost.Durable.CrashHost", "bin", RepoPaths.Configuration, "net10.0", "Mlops.WorkerHost.Durable.CrashHost.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, connectionString, hub, workerId })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the crash host.");
        var output = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lines = output;
        return process;
    }
}
