using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Testing;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// kill -9 during training: the new host runs as its own process (<c>Mlops.WorkerHost.dll start</c>, as
/// <c>tools/func start</c> does) with the app's worker as its child, on a shared Azurite; a run is interrupted
/// mid-stage by killing the host with its worker, or only the worker, and must still finish with exactly one new model
/// version, one dataset, and production on that version.
/// </summary>
public sealed partial class CrashRecoveryEndToEndTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    // Three candidates keep the train stage long enough to be caught in the act.
    private const string Spec =
        """{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm","fasttree","sdca"],"search":{"maxCandidates":3}}""";

    /// <summary>One <c>Mlops.WorkerHost.dll start</c> process; kills itself and its worker when disposed.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();

        private readonly DateTime _startedAt = DateTime.Now;

        private HostProcess(string connectionString)
        {
            Port = FreePort();
            var dll = Path.Combine(RepoPaths.Root, "src", "Mlops.WorkerHost", "bin", RepoPaths.Configuration, "net10.0", "Mlops.WorkerHost.dll");
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { dll, "start", "--script-root", AppHostFixture.ScriptRoot, "--port", Port.ToString(CultureInfo.InvariantCulture) })
            {
                psi.ArgumentList.Add(argument);
            }

            // The environment wins over the script root's local.settings.json, as with Core Tools.
            foreach (var (key, value) in AppHostFixture.Settings(connectionString))
            {
                psi.Environment[key] = value;
            }

            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _lines.Enqueue(e.Data); } };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public Process Process { get; }

        public int Port { get; }

        public HttpClient Http { get; }

        /// <summary>Every worker process the host started, oldest first (it restarts one that dies).</summary>
        public IReadOnlyList<int> WorkerPids => _lines.Select(l => WorkerStarted().Match(l)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

        /// <summary>The newest worker process.</summary>
        public int? WorkerPid => WorkerPids is [.., var last] ? last : null;

        public string Output => string.Join('\n', _lines.TakeLast(40));

        public static async Task<HostProcess> StartAsync(string connectionString)
        {
            var host = new HostProcess(connectionString);
            try
            {
                await AppHostFixture.EventuallyAsync(() => Task.FromResult<object?>(
                    host._lines.Any(l => l.Contains("Host started", StringComparison.Ordinal)) ? true
                    : host.Process.HasExited ? throw new InvalidOperationException("The host exited:\n" + host.Output) : null),
                    "the host to start", TimeSpan.FromSeconds(90));
                return host;
            }
            catch
            {
                host.Dispose();
                throw;
            }
        }

        /// <summary>kill -9 the host and its worker.</summary>
        public void KillAll()
        {
            try
            {
                Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            // The tree kill covers the worker; killing every worker pid seen as well leaves no orphan behind even if
            // one was being restarted at that moment.
            foreach (var pid in WorkerPids)
            {
                KillProcess(pid, notBefore: _startedAt);
            }

            Process.WaitForExit();
        }

        public void Dispose()
        {
            try
            {
                KillAll();
            }
            finally
            {
                Http.Dispose();
                Process.Dispose();
            }
        }
    }

    [GeneratedRegex(@"Worker process started \(pid (\d+)\)")]
    private static partial Regex WorkerStarted();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>kill -9 a worker this test's host started; a pid that now names another process (reused) is left alone.</summary>
    private static void KillProcess(int pid, DateTime notBefore)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.StartTime < notBefore.AddSeconds(-1)
                || !File.ReadAllText($"/proc/{pid}/cmdline").Contains("Mlops.FunctionApp", StringComparison.Ordinal))
            {
                return;
            }

            process.Kill(); // SIGKILL
            process.WaitForExit();
        }
        catch (IOException)
        {
            // Gone while we looked.
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>True when <paramref name="pid"/> no longer runs: gone, or a zombie nobody reaped (an orphan in a container without init).</summary>
    // SIGKILL is delivered asynchronously: a loaded machine can take a moment to tear the process down.
    private static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!IsGone(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>PUTs the spec and POSTs the whole seattle-weather.csv; returns the run id.</summary>
    private static async Task<string> StartTrainingAsync(HttpClient http, string project)
    {
        using (var put = await http.PutAsync($"api/projects/{project}", new StringContent(Spec, Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, $"PUT project: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }

        using var upload = await http.PostAsync($"api/projects/{project}/datasets", new StringContent(WeatherData.All, Encoding.UTF8, "text/csv"));
        var body = await upload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True((int)upload.StatusCode == 202, $"upload: {(int)upload.StatusCode} {body}");
        return body.GetProperty("runId").GetString()!;
    }

    /// <summary>Polls <c>GET api/runs/{id}</c> until the live stage is one of <paramref name="stages"/>; fails if the run gets past them.</summary>
    private static async Task<string> WaitForStageAsync(HttpClient http, string runId, params string[] stages)
    {
        // Polled faster than EventuallyAsync does: export and register take well under a second each.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/runs/{runId}");
            if (!response.IsSuccessStatusCode)
            {
                await Task.Delay(50);
                continue;
            }

            var run = await response.Content.ReadFromJsonAsync<JsonElement>();
            var stage = run.TryGetProperty("progress", out var progress) && progress.ValueKind == JsonValueKind.Object
                ? progress.GetProperty("stage").GetString()
                : null;
            if (run.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated")
            {
                throw new InvalidOperationException($"The run finished before stage {string.Join("/", stages)} was seen: {run}");
            }

            if (stage is not null && stages.Contains(stage))
            {
                return stage;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out waiting for run {runId} to reach {string.Join("/", stages)}");
    }

    /// <summary>Waits for the run on <paramref name="http"/>, then checks the outcome a user would check.</summary>
    private static async Task AssertOneVersionAndPromotedAsync(HttpClient http, string project, string runId)
    {
        var run = await AppHostFixture.EventuallyAsync<JsonElement?>(async () =>
        {
            try
            {
                using var response = await http.GetAsync($"api/runs/{runId}");
                if (!response.IsSuccessStatusCode)
                {
                    return null;
                }

                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                return body.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated" ? body : null;
            }
            catch (HttpRequestException)
            {
                return null; // The worker is being restarted.
            }
        }, $"run {runId} to finish after the crash", TimeSpan.FromMinutes(3));

        var record = run!.Value;
        Assert.True(record.GetProperty("runtimeStatus").GetString() == "Completed", record.ToString());
        Assert.Equal("succeeded", record.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(1, record.GetProperty("output").GetProperty("version").GetInt32());

        var model = await http.GetFromJsonAsync<JsonElement>($"api/models/{project}");
        var version = Assert.Single(model.GetProperty("versions").EnumerateArray());
        Assert.Equal(1, version.GetProperty("version").GetInt32());
        Assert.Equal(runId, version.GetProperty("runId").GetString());
        Assert.Equal(1, model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());
        Assert.Single(model.GetProperty("audit").EnumerateArray());

        var datasets = await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/datasets");
        Assert.Equal(1, datasets.GetProperty("versions").GetArrayLength());

        using var predict = await http.PostAsync($"api/models/{project}/predict", new StringContent(
            """{"dataframe_records":[{"precipitation":0.0,"temp_max":12.8,"temp_min":5.0,"wind":4.7}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
    }

    [Fact]
    public async Task KillHostAndWorker_DuringTrain_NewHostFinishesRunWithExactlyOneVersion()
    {
        const string Project = "crash-host";
        var first = await HostProcess.StartAsync(azurite.ConnectionString);
        HostProcess? second = null;
        try
        {
            var runId = await StartTrainingAsync(first.Http, Project);
            await WaitForStageAsync(first.Http, runId, "train");
            var worker = first.WorkerPid ?? throw new InvalidOperationException("No worker pid in the host output:\n" + first.Output);

            first.KillAll();
            Assert.True(first.Process.HasExited);
            Assert.True(await WaitUntilGoneAsync(worker, TimeSpan.FromSeconds(15)), $"worker {worker} survived the kill");
            second = await HostProcess.StartAsync(azurite.ConnectionString);

            await AssertOneVersionAndPromotedAsync(second.Http, Project, runId);
        }
        finally
        {
            try
            {
                first.Dispose();
            }
            finally
            {
                second?.Dispose();
            }
        }
    }

    [Fact]
    public async Task KillWorkerOnly_DuringExportOrRegister_HostRestartsWorkerAndRunHasExactlyOneVersion()
    {
        const string Project = "crash-worker";
        using var host = await HostProcess.StartAsync(azurite.ConnectionString);
        var runId = await StartTrainingAsync(host.Http, Project);
        await WaitForStageAsync(host.Http, runId, "export", "register");
        var worker = host.WorkerPid ?? throw new InvalidOperationException("No worker pid in the host output:\n" + host.Output);

        KillProcess(worker, notBefore: host.Process.StartTime);

        await AppHostFixture.EventuallyAsync(() => Task.FromResult<object?>(host.WorkerPid != worker ? true : null),
            "the host to restart the worker", TimeSpan.FromSeconds(60));
        await AssertOneVersionAndPromotedAsync(host.Http, Project, runId);
        Assert.Equal(2, host.WorkerPids.Count);
        Assert.False(host.Process.HasExited);
    }
}
