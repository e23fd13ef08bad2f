using Microsoft.Extensions.Logging;
using Mlops.Durable.Worker;

namespace Mlops.Durable;

/// <summary>
/// The orchestrator's only door to the outside world. Every method is deterministic: on replay it
/// returns what the history recorded instead of doing the work again. One abstract member per
/// operation; the overloads and composites (event wait with timeout) are written once here.
/// </summary>
/// <remarks>
/// Orchestrator code runs on a single-threaded, replaying scheduler. Never use <c>DateTime.UtcNow</c>,
/// <c>Guid.NewGuid</c>, <c>Random</c>, <c>Task.Delay</c>, <c>Task.Run</c>, <c>ConfigureAwait(false)</c>
/// or any I/O inside it: see the README's "Writing orchestrations".
/// </remarks>
public abstract class TaskOrchestrationContext
{
    /// <summary>The orchestrator function name.</summary>
    public abstract string Name { get; }

    /// <summary>The orchestration instance ID.</summary>
    public abstract string InstanceId { get; }

    /// <summary>The execution ID (changes at each continue-as-new); null when the history does not carry it.</summary>
    public abstract string? ExecutionId { get; }

    /// <summary>The parent orchestration's instance ID when this is a sub-orchestration, else null.</summary>
    public abstract string? ParentInstanceId { get; }

    /// <summary>True while the code re-executes past history; use it to avoid duplicate side effects such as logs.</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>The orchestration's current time: the timestamp of the episode being replayed, never the wall clock.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>The orchestration input deserialised as <typeparamref name="T"/> (default when there was none).</summary>
    public abstract T? GetInput<T>();

    /// <summary>Schedules an activity and returns its result deserialised as <typeparamref name="TResult"/>.</summary>
    /// <exception cref="TaskFailedException">The activity failed (after all retries of <paramref name="options"/>).</exception>
    public abstract Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null);

    /// <summary>Schedules an activity whose result is not needed.</summary>
    public virtual Task CallActivityAsync(string name, object? input = null, TaskOptions? options = null) =>
        this.CallActivityAsync<object?>(name, input, options);

    /// <summary>Starts a sub-orchestration and returns its output. Pass <see cref="SubOrchestrationOptions"/> to choose the child's instance ID.</summary>
    /// <exception cref="TaskFailedException">The child failed or was terminated.</exception>
    public abstract Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null);

    /// <summary>Starts a sub-orchestration whose output is not needed.</summary>
    public virtual Task CallSubOrchestratorAsync(string orchestratorName, object? input = null, TaskOptions? options = null) =>
        this.CallSubOrchestratorAsync<object?>(orchestratorName, input, options);

    /// <summary>A durable timer that fires at <paramref name="fireAt"/> (UTC). Cancelling the token completes the task as cancelled.</summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    /// <summary>A durable timer that fires after <paramref name="delay"/> of orchestration time.</summary>
    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) =>
        this.CreateTimer(this.CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>Waits for an external event (names compare case-insensitively); events raised earlier are buffered.</summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>Waits for an external event for at most <paramref name="timeout"/> (a durable timer).</summary>
    /// <exception cref="TimeoutException">The timer fired first.</exception>
    public virtual async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // The timer is created first, then the waiter: both take sequence numbers in that order on every replay.
        using var timerCts = new CancellationTokenSource();
        Task timeoutTask = this.CreateTimer(timeout, timerCts.Token);
        using var eventCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<T> eventTask = this.WaitForExternalEvent<T>(eventName, eventCts.Token);

        Task winner = await Task.WhenAny(timeoutTask, eventTask);
        if (winner == eventTask)
        {
            timerCts.Cancel();
            return await eventTask;
        }

        eventCts.Cancel();
        throw new TimeoutException($"Event '{eventName}' was not raised within {timeout} for instance '{this.InstanceId}'.");
    }

    /// <summary>Sends an event to another orchestration instance (fire and forget).</summary>
    public abstract void SendEvent(string instanceId, string eventName, object? payload);

    /// <summary>Sets the custom status (any JSON-serialisable value; null clears it). Sent with every episode.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>
    /// Restarts the orchestration with a new input and an empty history once the orchestrator function returns
    /// (its return value is then ignored). Unconsumed external events are carried over when <paramref name="preserveUnprocessedEvents"/> is true.
    /// </summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A GUID that is the same on every replay (name-based, version 5, like durabletask-dotnet).</summary>
    public abstract Guid NewGuid();

    /// <summary>A logger for <paramref name="categoryName"/> that writes nothing while <see cref="IsReplaying"/>.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);

    /// <summary>A logger for <typeparamref name="T"/> that writes nothing while <see cref="IsReplaying"/>.</summary>
    public virtual ILogger CreateReplaySafeLogger<T>() => this.CreateReplaySafeLogger(typeof(T).FullName ?? typeof(T).Name);

    /// <summary>Wraps <paramref name="logger"/> so that it writes nothing while <see cref="IsReplaying"/>.</summary>
    public virtual ILogger CreateReplaySafeLogger(ILogger logger) => new ReplaySafeLogger(this, logger ?? throw new ArgumentNullException(nameof(logger)));
}
