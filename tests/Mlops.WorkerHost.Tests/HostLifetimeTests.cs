using System.Diagnostics;
using System.Net;
using Azure.Storage.Blobs;
using Mlops.Testing;

namespace Mlops.WorkerHost.Tests;

/// <summary>Behaviour that needs its own host configuration or lifetime (one Azurite for the class).</summary>
public sealed partial class HostLifetimeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task KillWorker_InFlightFailsThenRestarted_ServesAgain()
    {
        await using var host = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString));
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        var first = host.WorkerProcessId;
        host.KillWorker();
        var text = await TestSupport.WaitForAsync(async () =>
        {
            try
            {
                using var r = await http.GetAsync("api/Hello?name=again");
                return r.IsSuccessStatusCode && host.WorkerProcessId != first ? await r.Content.ReadAsStringAsync() : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, "a restarted worker", TimeSpan.FromSeconds(60));
        Assert.Equal("Hello, again", text);
        Assert.NotEqual(first, host.WorkerProcessId);
    }

    [Fact]
    public async Task Dispose_WorkerTerminate_WorkerProcessExits()
    {
        var host = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString));
        var pid = host.WorkerProcessId!.Value;
        using var process = Process.GetProcessById(pid);
        await host.DisposeAsync();
        Assert.True(process.HasExited);
    }

    [Fact]
    public async Task EnableAuth_FunctionLevel_KeyRequiredAnonymousOpen()
    {
        await using var host = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, enforceKeys: true));
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        using var noKey = await http.GetAsync("api/items/1");
        using var byCode = await http.GetAsync($"api/items/1?code={Uri.EscapeDataString(host.FunctionKey("Item")!)}");
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "api/items/2") { Headers = { { "x-functions-key", host.MasterKey } } };
        using var withHeader = await http.SendAsync(byHeader);
        using var anonymous = await http.GetAsync("api/Hello");
        using var adminNoKey = await http.GetAsync("admin/host/status");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, adminNoKey.StatusCode);
    }

    [Fact]
    public async Task TimerWithMonitor_MissedWhileDown_FiresPastDueAtStart()
    {
        var hostId = "pastdue-" + Guid.NewGuid().ToString("N")[..8];
        var hosts = new BlobContainerClient(azurite.ConnectionString, "azure-webjobs-hosts");
        await hosts.CreateIfNotExistsAsync();
        var yesterday = DateTime.UtcNow.AddDays(-1);
        await hosts.GetBlobClient($"timers/{hostId}/Host.Functions.Nightly/status").UploadAsync(
            BinaryData.FromString($"{{\"Last\":\"{yesterday.AddDays(-1):O}\",\"Next\":\"{yesterday:O}\",\"LastUpdated\":\"{yesterday:O}\"}}"), overwrite: true);

        await using var host = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, hostId));
        var runs = await TestSupport.WaitForAsync(async () =>
        {
            var list = await TestSupport.BlobTextsAsync(azurite.ConnectionString, "timers", "nightly-");
            return list.Any(t => t.StartsWith("pastDue=True", StringComparison.Ordinal)) ? list : null;
        }, "a past-due timer run");
        Assert.Contains(runs, t => t.StartsWith("pastDue=True", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_BuiltApp_ServesFirstRequestWithinStartupBudget()
    {
        var clock = Stopwatch.StartNew();
        await using var host = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString));
        using var http = new HttpClient { BaseAddress = host.BaseUri };
        using var response = await http.GetAsync("api/Hello");
        clock.Stop();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TestSupport.Log.WriteLine($"start to first served request: {clock.ElapsedMilliseconds} ms");

        // The aim is under 5 s on a quiet machine (measured separately); this bound only catches a start that hangs,
        // since the shared CI/dev machines here run several builds at once.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task FuncStart_StorageUnreachable_ExitsWithOneLineSayingWhatToDo()
    {
        // A closed port stands for "Azurite is not running": the process must end with status 1 and a message naming
        // the setting and the next step, not an unhandled exception's stack traces.
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var storage = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};" +
                      $"BlobEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;" +
                      $"TableEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;";
        using var host = HostProcess.Start(storage);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await host.Process.WaitForExitAsync(timeout.Token);
        host.Process.WaitForExit(); // drains the redirected output
        var error = host.Output;
        Assert.True(host.Process.ExitCode == 1, $"exit code {host.Process.ExitCode}\n{error}");
        Assert.Contains("could not reach the storage account in AzureWebJobsStorage", error, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closedPort}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FuncStart_AfterAHostWasKilled_StopsTheWorkerItLeftRunning()
    {
        // kill -9 of the host alone leaves its worker running (the worker SDK does not exit when its stream breaks);
        // the next host started on this machine stops it.
        using var first = HostProcess.Start(azurite.ConnectionString);
        await first.WaitForAsync("Host started");
        var orphan = first.WorkerPid ?? throw new InvalidOperationException("no worker pid:\n" + first.Output);
        first.Process.Kill(entireProcessTree: false);
        await first.Process.WaitForExitAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(IsAlive(orphan), "the worker should outlive a killed host (otherwise this test proves nothing)");

        using var second = HostProcess.Start(azurite.ConnectionString);
        await second.WaitForAsync("Host started");
        await TestSupport.WaitForAsync(() => Task.FromResult<bool?>(IsAlive(orphan) ? null : true), $"worker {orphan} to be stopped", TimeSpan.FromSeconds(30));
        // Not asserted: that this host's console names the pid. Any host starting on the machine stops it, and test
        // classes running beside this one start hosts too (one of them may get there first).
        Assert.NotEqual(orphan, second.WorkerPid);
        Assert.True(IsAlive(second.WorkerPid!.Value), "the new host's own worker runs");

        static bool IsAlive(int pid)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    /// <summary><c>Mlops.WorkerHost.dll start</c> on the test app as its own process (what <c>tools/func start</c> runs); disposal kills its tree.</summary>
    private sealed partial class HostProcess : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        private HostProcess(Process process) => Process = process;

        public Process Process { get; }

        public string Output => string.Join('\n', _lines);

        public int? WorkerPid => _lines.Select(l => WorkerStarted().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Cast<int?>().LastOrDefault();

        public static HostProcess Start(string storageConnection)
        {
            var dll = Path.Combine(RepoPaths.Root, "src", "Mlops.WorkerHost", "bin", RepoPaths.Configuration, "net10.0", "Mlops.WorkerHost.dll");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { dll, "start", "--script-root", TestSupport.AppRoot, "--port", "0" })
            {
                psi.ArgumentList.Add(argument);
            }

            psi.Environment["AzureWebJobsStorage"] = storageConnection;
            var host = new HostProcess(Process.Start(psi)!);
            host.Process.OutputDataReceived += (_, e) => { if (e.Data is not null) { host._lines.Enqueue(e.Data); } };
            host.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { host._lines.Enqueue(e.Data); } };
            host.Process.BeginOutputReadLine();
            host.Process.BeginErrorReadLine();
            return host;
        }

        public Task WaitForAsync(string text) => TestSupport.WaitForAsync(
            () => Task.FromResult<bool?>(_lines.Any(l => l.Contains(text, StringComparison.Ordinal)) ? true
                : Process.HasExited ? throw new InvalidOperationException("the host exited:\n" + Output) : null),
            $"'{text}' from the host", TimeSpan.FromSeconds(90));

        public void Dispose()
        {
            try
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }
            catch (InvalidOperationException)
            {
            }

            Process.Dispose();
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"Worker process started \(pid (\d+)\)")]
        private static partial System.Text.RegularExpressions.Regex WorkerStarted();
    }
}
