using System.Diagnostics;
using Mlops.WorkerHost.Configuration;

namespace Mlops.WorkerHost.Worker;

/// <summary>
/// The worker's OS process, launched as worker.config.json says with the real host's arguments and environment (spec §3).
/// Its stdout/stderr go to the console (at debug level: the worker's structured logs arrive over gRPC).
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Completes when the process has exited, with its exit code.</summary>
    public Task<int> Exited { get; private init; } = null!;

    public static WorkerProcess Start(ScriptRoot root, IReadOnlyDictionary<string, string> environment, Uri grpcUri, string workerId, HostConsole console)
    {
        var description = root.Worker;
        var workerDirectory = string.IsNullOrEmpty(description.WorkerDirectory) ? root.Path : Path.GetFullPath(description.WorkerDirectory, root.Path);
        var psi = new ProcessStartInfo(ResolveExecutable(description.ExecutablePath))
        {
            WorkingDirectory = root.Path,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        psi.Environment["FUNCTIONS_WORKER_RUNTIME"] = description.Language;
        psi.Environment["FUNCTIONS_WORKER_DIRECTORY"] = workerDirectory;

        // Mandatory: the worker resolves scriptFile and reads host.json (routePrefix) from here (spec §8.3).
        psi.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = root.Path;
        psi.Environment["AzureWebJobsScriptRoot"] = root.Path;

        string Expand(string arg) => ExpandEnvironment(arg, psi.Environment);
        foreach (var a in description.Arguments)
        {
            AddNonEmpty(psi, Expand(a));
        }

        psi.ArgumentList.Add(Path.IsPathRooted(description.WorkerPath) ? description.WorkerPath : Path.Combine(workerDirectory, description.WorkerPath));
        foreach (var a in description.WorkerArguments)
        {
            AddNonEmpty(psi, Expand(a));
        }

        var requestId = Guid.NewGuid().ToString();
        const string maxMessage = "2147483647";

        // The legacy switches are ignored by Worker 2.x but the real host still passes them; the --functions-* ones are read.
        foreach (var arg in new[]
                 {
                     "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxMessage,
                     "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId,
                     "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessage,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) =>
        {
            OrphanedWorkers.Forget(process.Id);
            exited.TrySetResult(SafeExitCode(process));
        };
        process.OutputDataReceived += (_, e) => Echo(console, e.Data);
        process.ErrorDataReceived += (_, e) => Echo(console, e.Data);
        process.Start();
        OrphanedWorkers.Record(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process) { Exited = exited.Task };
    }

    /// <summary>Waits for a voluntary exit (after WorkerTerminate) up to <paramref name="grace"/>, then kills the process tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) != Exited)
        {
            Kill();
        }

        await Exited.ConfigureAwait(false);
    }

    /// <summary>Kills at once (tests use this to play a crash).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Echo(HostConsole console, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            console.Debug("[worker] " + line);
        }
    }

    private static int SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    private static void AddNonEmpty(ProcessStartInfo psi, string arg)
    {
        if (arg.Length > 0)
        {
            psi.ArgumentList.Add(arg);
        }
    }

    /// <summary><c>%ENV%</c> from the child's environment; unresolved tokens are removed (the real host's rule).</summary>
    private static string ExpandEnvironment(string text, IDictionary<string, string?> env) =>
        System.Text.RegularExpressions.Regex.Replace(text, "%([^%]+)%", m => env.TryGetValue(m.Groups[1].Value, out var v) ? v ?? "" : "");

    /// <summary><c>dotnet</c> means the muxer running this host when there is one (so the same SDK runs the worker).</summary>
    private static string ResolveExecutable(string path)
    {
        if (!path.Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? current : "dotnet";
    }
}
