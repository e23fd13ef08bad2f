using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Mlops.LocalHost.Configuration;

namespace Mlops.LocalHost.Handler;

/// <summary>
/// The custom-handler process (spec §1.2-§1.3): launched as <c>customHandler.description</c> says, on a free loopback
/// port passed through <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, ready once <c>GET /</c> answers anything, and restarted when it dies.
/// </summary>
internal sealed class HandlerProcess : IAsyncDisposable
{
    private readonly ScriptRoot _root;
    private readonly AppSettings _settings;
    private readonly HostConsole _console;
    private readonly TimeSpan _startupTimeout;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private Task? _supervisor;

    public HandlerProcess(ScriptRoot root, AppSettings settings, HostConsole console, TimeSpan startupTimeout)
    {
        _root = root;
        _settings = settings;
        _console = console;
        _startupTimeout = startupTimeout;
        WorkerId = Guid.NewGuid().ToString();
    }

    public int Port { get; private set; }

    public string WorkerId { get; }

    public int? ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false } p ? p.Id : null;
            }
        }
    }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Starts the handler and waits for its first readiness; later deaths are handled by restarting it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _supervisor = Task.Run(() => SuperviseAsync(first));
        using var reg = cancellationToken.Register(() => first.TrySetCanceled());
        await first.Task.ConfigureAwait(false);
    }

    /// <summary>Completes when the handler is up (immediately in the usual case).</summary>
    public Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        Task ready;
        lock (_gate)
        {
            ready = _ready.Task;
        }

        return ready.IsCompleted ? ready : ready.WaitAsync(cancellationToken);
    }

    private async Task SuperviseAsync(TaskCompletionSource first)
    {
        var restartDelay = TimeSpan.FromMilliseconds(200);
        while (!_stopping.IsCancellationRequested)
        {
            Process process;
            try
            {
                Port = FreePort();
                process = Launch();
                lock (_gate)
                {
                    _process = process;
                }

                await WaitForReadinessAsync(process).ConfigureAwait(false);
                _console.Debug($"Handler process {process.Id} is ready on port {Port}.");
                lock (_gate)
                {
                    _ready.TrySetResult();
                }

                first.TrySetResult();
                restartDelay = TimeSpan.FromMilliseconds(200);
            }
            catch (Exception ex) when (!_stopping.IsCancellationRequested)
            {
                if (!first.Task.IsCompleted)
                {
                    first.TrySetException(ex);
                    return;
                }

                _console.Line($"Handler failed to start: {ex.Message}");
                await Task.Delay(restartDelay).ConfigureAwait(false);
                restartDelay = TimeSpan.FromTicks(Math.Min(restartDelay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                continue;
            }
            catch (Exception)
            {
                return;
            }

            try
            {
                await process.WaitForExitAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                // New invocations wait for the replacement process.
                _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _console.Line($"Handler process {process.Id} exited with code {SafeExitCode(process)}; restarting it.");
            process.Dispose();
            await Task.Delay(restartDelay, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Process Launch()
    {
        var description = _root.Description
            ?? throw new InvalidOperationException("host.json: customHandler.description is required (it says how to launch the handler).");
        var exe = ScriptRoot.Value(description, "defaultExecutablePath")?.GetValue<string>()
            ?? throw new InvalidOperationException("host.json: customHandler.description.defaultExecutablePath is required.");
        exe = _settings.Expand(exe);
        var workDir = ScriptRoot.Value(description, "workingDirectory")?.GetValue<string>() is { Length: > 0 } wd
            ? Path.GetFullPath(Path.Combine(_root.Path, _settings.Expand(wd)))
            : _root.Path;

        // A relative executable that exists under the app root becomes absolute; otherwise it is a command on PATH (spec §1.2).
        if (!Path.IsPathRooted(exe) && File.Exists(Path.Combine(_root.Path, exe)))
        {
            exe = Path.Combine(_root.Path, exe);
        }

        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workDir,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in Strings(description, "arguments"))
        {
            psi.ArgumentList.Add(_settings.Expand(arg));
        }

        if (ScriptRoot.Value(description, "defaultWorkerPath")?.GetValue<string>() is { Length: > 0 } workerPath)
        {
            psi.ArgumentList.Add(_settings.Expand(workerPath));
        }

        foreach (var arg in Strings(description, "workerArguments"))
        {
            psi.ArgumentList.Add(_settings.Expand(arg));
        }

        // The handler inherits the host's whole environment plus every app setting (spec §9a).
        foreach (var (k, v) in _settings.LocalSettings)
        {
            if (System.Environment.GetEnvironmentVariable(k) is null)
            {
                psi.Environment[k] = v;
            }
        }

        foreach (var (k, v) in _settings.Overrides)
        {
            psi.Environment[k] = v;
        }

        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port;
        psi.Environment["FUNCTIONS_HTTPWORKER_PORT"] = port;
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = WorkerId;
        psi.Environment["FUNCTIONS_HTTPWORKER_ID"] = WorkerId;
        psi.Environment["FUNCTIONS_APP_ROOT_PATH"] = _root.Path;
        psi.Environment["FUNCTIONS_WORKER_RUNTIME"] = _settings["FUNCTIONS_WORKER_RUNTIME"] ?? "custom";
        // The handler is a web app too: keep ASP.NET Core from binding its default port 5000 next to ours.
        psi.Environment.Remove("ASPNETCORE_URLS");
        psi.Environment.Remove("ASPNETCORE_HTTP_PORTS");

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start '{exe}'.");
        process.OutputDataReceived += (_, e) => Relay(e.Data);
        process.ErrorDataReceived += (_, e) => Relay(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _console.Line($"Handler process started (pid {process.Id}) on port {Port}: {exe} {string.Join(' ', psi.ArgumentList)}");
        return process;
    }

    private void Relay(string? line)
    {
        if (line is not null && _console.Verbose)
        {
            _console.Raw(line);
        }
    }

    private async Task WaitForReadinessAsync(Process process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + _startupTimeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            _stopping.Token.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the handler exited with code {process.ExitCode} before it answered GET / on port {Port}.");
            }

            try
            {
                // Any HTTP response at all means ready (spec §1.3).
                using var response = await http.GetAsync(BaseUri, _stopping.Token).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!_stopping.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the handler did not answer GET / on port {Port} within {_startupTimeout.TotalSeconds:0} s.");
            }

            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
        }
    }

    private static IEnumerable<string> Strings(JsonObject description, string name) =>
        ScriptRoot.Value(description, name) is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? "") : [];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Process? p;
        lock (_gate)
        {
            p = _process;
        }

        try
        {
            if (p is { HasExited: false })
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }

        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        p?.Dispose();
        _stopping.Dispose();
    }
}
