using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mlops.Testing;

namespace Mlops.LocalHost.Tests;

/// <summary>
/// Kill -9 the host process (with its handler) or only the handler at random moments while a batch of orchestrations
/// runs; after every restart the work resumes, and in the end each instance completed once with the right output
/// and a history without lost or doubled events.
/// </summary>
public sealed partial class ChaosTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private sealed class HostProcess : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public HostProcess(string connectionString, int port)
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var dll = Path.Combine(RepoPaths.Root, "src", "Mlops.LocalHost", "bin", configuration, "net10.0", "Mlops.LocalHost.dll");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "start", "--script-root", TestSupport.HandlerRoot, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--message-lease-seconds", "2" })
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["AzureWebJobsStorage"] = connectionString;
            Port = port;
            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); TestSupport.Log.WriteLine(e.Data); } };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public int Port { get; }

        public bool Started => _lines.Any(l => l.EndsWith("Host started", StringComparison.Ordinal));

        public int? HandlerPid => _lines.Select(l => HandlerStarted().Match(l)).Where(m => m.Success).Select(m => (int?)int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).LastOrDefault();

        public void KillAll()
        {
            var handler = HandlerPid;
            try
            {
                Process.Kill(entireProcessTree: true); // SIGKILL to the host and its handler
            }
            catch (InvalidOperationException)
            {
            }

            if (handler is { } pid)
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }

            Process.WaitForExit();
        }

        public void Dispose()
        {
            KillAll();
            Process.Dispose();
        }
    }

    [GeneratedRegex(@"Handler process started \(pid (\d+)\)")]
    private static partial Regex HandlerStarted();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private async Task<HostProcess> StartHostAsync()
    {
        var host = new HostProcess(azurite.ConnectionString, FreePort());
        await TestSupport.WaitForAsync(() => Task.FromResult<bool?>(host.Started ? true : host.Process.HasExited ? throw new InvalidOperationException("host exited") : null), "the host to start", TimeSpan.FromSeconds(60));
        return host;
    }

    [Fact]
    public async Task KillHostOrHandler_RandomlyDuringBatch_EveryOrchestrationCompletesExactlyOnce()
    {
        const int Instances = 8;
        const int Steps = 4;
        var ids = Enumerable.Range(0, Instances).Select(i => $"chaos-{i}-{Guid.NewGuid():N}"[..20]).ToList();
        var random = new Random(1234);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var host = await StartHostAsync();
        try
        {
            foreach (var id in ids)
            {
                using var r = await http.PostAsync($"http://127.0.0.1:{host.Port}/runtime/webhooks/durabletask/orchestrators/Chain/{id}", new StringContent(Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            }

            for (var round = 0; round < 6; round++)
            {
                await Task.Delay(random.Next(150, 900)); // chaos: a random moment, not a wait for a condition
                if (random.Next(3) == 0 && host.HandlerPid is { } pid)
                {
                    try
                    {
                        Process.GetProcessById(pid).Kill(); // kill -9 only the handler: the host restarts it
                    }
                    catch (ArgumentException)
                    {
                    }
                }
                else
                {
                    host.KillAll();
                    host.Dispose();
                    host = await StartHostAsync();
                }
            }

            var statusBase = $"http://127.0.0.1:{host.Port}/runtime/webhooks/durabletask/instances/";
            foreach (var id in ids)
            {
                var status = await TestSupport.WaitForAsync(async () =>
                {
                    try
                    {
                        var s = JsonNode.Parse(await http.GetStringAsync(statusBase + id + "?showHistory=true&showHistoryOutput=true"))!;
                        return s["runtimeStatus"]!.GetValue<string>() is "Completed" or "Failed" or "Terminated" ? s : null;
                    }
                    catch (HttpRequestException)
                    {
                        return null;
                    }
                }, $"instance {id} to finish", TimeSpan.FromSeconds(60));

                Assert.Equal("Completed", status!["runtimeStatus"]!.GetValue<string>());
                Assert.Equal(Enumerable.Range(0, Steps).Select(i => $"Hello n{i}!").ToArray(), status["output"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
                var events = status["historyEvents"]!.AsArray().Select(e => e!["EventType"]!.GetValue<string>()).ToList();
                Assert.Equal(1, events.Count(e => e == "ExecutionStarted"));
                Assert.Equal(Steps, events.Count(e => e == "TaskCompleted"));
                Assert.Equal(1, events.Count(e => e == "ExecutionCompleted"));
            }
        }
        finally
        {
            host.Dispose();
        }
    }
}
