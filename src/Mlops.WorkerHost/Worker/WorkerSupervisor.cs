using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Worker;

/// <summary>
/// Keeps one worker running: starts it, and when it dies starts a new one (its in-flight invocations have already failed
/// with <see cref="WorkerUnavailableException"/>, so triggers that retry do). Callers wait for a ready worker.
/// </summary>
internal sealed class WorkerSupervisor : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly ScriptRoot _root;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly WorkerRegistry _registry;
    private readonly HostConsole _console;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource<WorkerChannel> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri? _grpcUri;
    private WorkerChannel? _current;
    private Task _loop = Task.CompletedTask;

    public WorkerSupervisor(ScriptRoot root, IReadOnlyDictionary<string, string> environment, WorkerRegistry registry, HostConsole console)
    {
        _root = root;
        _environment = environment;
        _registry = registry;
        _console = console;
    }

    /// <summary>The current worker's process id (changes on restart).</summary>
    public int? ProcessId => _current?.ProcessId;

    /// <summary>Starts the first worker and returns when it has loaded its functions.</summary>
    public async Task<WorkerChannel> StartAsync(Uri grpcUri, CancellationToken cancellationToken)
    {
        _grpcUri = grpcUri;
        if (OrphanedWorkers.StopAll() is { Count: > 0 } orphans)
        {
            _console.Line($"Stopped {orphans.Count} worker process(es) left running by a host that was killed: {string.Join(", ", orphans.Select(pid => $"pid {pid}"))}.");
        }

        var first = await StartOneAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => SuperviseAsync(first));
        return first;
    }

    /// <summary>The worker that is ready now, or the next one once it is (after a restart).</summary>
    public Task<WorkerChannel> ReadyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _ready.Task.WaitAsync(ReadyTimeout, cancellationToken);
        }
    }

    /// <summary>Kills the current worker without notice (tests use it to check restarts).</summary>
    public void KillCurrent() => _current?.Kill();

    private async Task<WorkerChannel> StartOneAsync(CancellationToken cancellationToken)
    {
        var channel = new WorkerChannel(_root, _console);
        _registry.Add(channel);
        _current = channel;
        try
        {
            await channel.StartAsync(_environment, _grpcUri!, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _registry.Remove(channel);
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // The pid lets an operator (or a crash test running the host as a process) find and kill exactly this worker.
        _console.Line($"Worker process started (pid {channel.ProcessId}).");
        lock (_lock)
        {
            if (_ready.Task.IsCompleted)
            {
                _ready = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _ready.TrySetResult(channel);
        }

        return channel;
    }

    private async Task SuperviseAsync(WorkerChannel channel)
    {
        while (!_stopping.IsCancellationRequested)
        {
            await Task.WhenAny(channel.Ended, Task.Delay(Timeout.Infinite, _stopping.Token)).ConfigureAwait(false);
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            lock (_lock)
            {
                // Callers now wait for the replacement rather than getting the dead worker.
                _ready = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _registry.Remove(channel);
            await channel.DisposeAsync().ConfigureAwait(false);
            _console.Line("Worker process exited; restarting it.");
            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    channel = await StartOneAsync(_stopping.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (!_stopping.IsCancellationRequested)
                {
                    _console.Line($"Worker restart failed: {ex.Message}; trying again.");
                    await Task.Delay(TimeSpan.FromSeconds(1), _stopping.Token).ConfigureAwait(false);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping while a restart waited.
        }

        lock (_lock)
        {
            _ready.TrySetException(new WorkerUnavailableException("the host is stopping."));
        }

        if (_current is { } current)
        {
            _registry.Remove(current);
            await current.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
