using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Durable.Protocol;
using ActionCase = Mlops.Durable.Protocol.OrchestratorAction.OrchestratorActionTypeOneofCase;
using EventCase = Mlops.Durable.Protocol.HistoryEvent.EventTypeOneofCase;
using ProtoStatus = Mlops.Durable.Protocol.OrchestrationStatus;

namespace Mlops.Durable.Worker;

/// <summary>
/// One orchestration episode: replays <c>pastEvents</c>, then applies <c>newEvents</c>, and returns the
/// actions the history does not hold yet (spec §5). Pure: no I/O, no clock, no randomness, no threads.
/// The executor is also the <see cref="TaskOrchestrationContext"/> the orchestrator code sees.
/// </summary>
internal sealed class OrchestrationExecutor : TaskOrchestrationContext
{
    private readonly OrchestratorRequest request;
    private readonly Func<string, OrchestratorInvoker?> resolveOrchestrator;
    private readonly JsonSerializerOptions json;
    private readonly ILoggerFactory loggerFactory;
    private readonly OrchestrationTaskScheduler scheduler = new();

    // Actions created by the code and not yet matched by a "scheduled" history event, by sequence number.
    private readonly Dictionary<int, OrchestratorAction> pendingActions = [];

    // Tasks waiting for a completion event (taskCompleted, timerFired, ...), by sequence number.
    private readonly Dictionary<int, Action<HistoryEvent>> openTasks = [];
    private readonly Dictionary<string, Queue<Func<string?, bool>>> eventWaiters = new(StringComparer.OrdinalIgnoreCase);

    // eventRaised events no waiter has taken yet, in arrival order (consumed later or carried over).
    private readonly List<HistoryEvent> unconsumedEvents = [];
    private readonly List<HistoryEvent> eventsWhileSuspended = [];

    private int nextSequenceNumber;
    private int guidCounter;
    private bool isReplaying;
    private bool isSuspended;
    private bool failedNonDeterministically;
    private DateTime currentUtcDateTime;
    private string name = string.Empty;
    private string? inputJson;
    private string? executionId;
    private string? parentInstanceId;
    private string? customStatusJson;
    private Task<string?>? orchestratorTask;
    private OrchestratorAction? completion;
    private ContinueAsNewRequest? continueAsNew;

    public OrchestrationExecutor(OrchestratorRequest request, Func<string, OrchestratorInvoker?> resolveOrchestrator, JsonSerializerOptions json, ILoggerFactory? loggerFactory)
    {
        this.request = request;
        this.resolveOrchestrator = resolveOrchestrator;
        this.json = json;
        this.loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        this.executionId = request.ExecutionId;
    }

    public override string Name => this.name;

    public override string InstanceId => this.request.InstanceId;

    public override string? ExecutionId => this.executionId;

    public override string? ParentInstanceId => this.parentInstanceId;

    public override bool IsReplaying => this.isReplaying;

    public override DateTime CurrentUtcDateTime => this.currentUtcDateTime;

    /// <summary>Runs the episode and builds the response.</summary>
    public OrchestratorResponse Execute()
    {
        if (!this.request.PastEvents.Concat(this.request.NewEvents).Any(e => e.EventTypeCase == EventCase.ExecutionStarted))
        {
            throw new ArgumentException($"OrchestratorRequest for instance '{this.request.InstanceId}' has no executionStarted event in pastEvents or newEvents.", nameof(this.request));
        }

        this.isReplaying = true;
        foreach (HistoryEvent e in this.request.PastEvents)
        {
            this.Process(e);
        }

        this.isReplaying = false;
        foreach (HistoryEvent e in this.request.NewEvents)
        {
            this.Process(e);
        }

        return this.BuildResponse();
    }

    public override T? GetInput<T>()
        where T : default => this.Deserialize<T>(this.inputJson);

    public override Task<TResult> CallActivityAsync<TResult>(string name, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        string? inputText = this.Serialize(input);
        return this.WithRetry(() => this.ScheduleTask<TResult>(name, inputText), options?.Retry);
    }

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(string orchestratorName, object? input = null, TaskOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(orchestratorName);
        string? inputText = this.Serialize(input);
        string? explicitId = (options as SubOrchestrationOptions)?.InstanceId;
        return this.WithRetry(() => this.CreateSubOrchestration<TResult>(orchestratorName, explicitId, inputText), options?.Retry);
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        DateTime fireAtUtc = fireAt.Kind == DateTimeKind.Local ? fireAt.ToUniversalTime() : DateTime.SpecifyKind(fireAt, DateTimeKind.Utc);
        int id = this.AddAction(new OrchestratorAction { CreateTimer = new CreateTimerAction { FireAt = Timestamp.FromDateTime(fireAtUtc) } });
        var tcs = new TaskCompletionSource();
        this.openTasks[id] = _ => tcs.TrySetResult();
        if (cancellationToken.CanBeCanceled)
        {
            // The durable timer still exists in the backend; cancelling only stops this code from waiting on it.
            cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
        }

        return tcs.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        int buffered = this.unconsumedEvents.FindIndex(e => string.Equals(e.EventRaised.Name, eventName, StringComparison.OrdinalIgnoreCase));
        if (buffered >= 0)
        {
            HistoryEvent e = this.unconsumedEvents[buffered];
            this.unconsumedEvents.RemoveAt(buffered);
            var immediate = new TaskCompletionSource<T>();
            this.SetResultFromJson(immediate, e.EventRaised.Input);
            return immediate.Task;
        }

        var tcs = new TaskCompletionSource<T>();
        if (!this.eventWaiters.TryGetValue(eventName, out Queue<Func<string?, bool>>? waiters))
        {
            waiters = new Queue<Func<string?, bool>>();
            this.eventWaiters[eventName] = waiters;
        }

        waiters.Enqueue(input =>
        {
            if (tcs.Task.IsCompleted)
            {
                return false; // cancelled waiter (e.g. timed out): let the next waiter or the buffer have the event
            }

            this.SetResultFromJson(tcs, input);
            return true;
        });
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
        }

        return tcs.Task;
    }

    public override void SendEvent(string instanceId, string eventName, object? payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var send = new SendEventAction { Instance = new OrchestrationInstance { InstanceId = instanceId }, Name = eventName };
        if (this.Serialize(payload) is { } data)
        {
            send.Data = data;
        }

        this.AddAction(new OrchestratorAction { SendEvent = send });
    }

    public override void SetCustomStatus(object? customStatus) => this.customStatusJson = this.Serialize(customStatus);

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        this.continueAsNew = new ContinueAsNewRequest(this.Serialize(newInput), preserveUnprocessedEvents);

    public override Guid NewGuid() => DeterministicGuid.Create(this.InstanceId, this.currentUtcDateTime, this.guidCounter++);

    public override ILogger CreateReplaySafeLogger(string categoryName) =>
        new ReplaySafeLogger(this, this.loggerFactory.CreateLogger(categoryName));

    private static string Describe(OrchestratorAction action) => action.OrchestratorActionTypeCase switch
    {
        ActionCase.ScheduleTask => $"scheduleTask '{action.ScheduleTask.Name}'",
        ActionCase.CreateSubOrchestration => $"createSubOrchestration '{action.CreateSubOrchestration.Name}'",
        ActionCase.SendEvent => $"sendEvent '{action.SendEvent.Name}'",
        ActionCase.CreateTimer => "createTimer",
        ActionCase.CompleteOrchestration => $"completeOrchestration ({action.CompleteOrchestration.OrchestrationStatus})",
        _ => action.OrchestratorActionTypeCase.ToString(),
    };

    private static string Describe(HistoryEvent e) => e.EventTypeCase switch
    {
        EventCase.TaskScheduled => $"taskScheduled '{e.TaskScheduled.Name}'",
        EventCase.SubOrchestrationInstanceCreated => $"subOrchestrationInstanceCreated '{e.SubOrchestrationInstanceCreated.Name}'",
        EventCase.EventSent => $"eventSent '{e.EventSent.Name}'",
        _ => e.EventTypeCase.ToString(),
    };

    private static TaskFailureDetails Unknown(TaskFailureDetails? details) =>
        details ?? new TaskFailureDetails("Unknown", "The history recorded a failure without failure details.");

    private void Process(HistoryEvent e)
    {
        if (e.EventTypeCase == EventCase.OrchestratorStarted)
        {
            // The only clock an orchestration has (§5.2).
            this.currentUtcDateTime = e.Timestamp?.ToDateTime() ?? this.currentUtcDateTime;
            return;
        }

        if (this.isSuspended && e.EventTypeCase is not (EventCase.ExecutionResumed or EventCase.ExecutionTerminated))
        {
            this.eventsWhileSuspended.Add(e);
            return;
        }

        this.Dispatch(e);
        this.scheduler.RunUntilIdle();
        this.CompleteIfOrchestratorReturned();
    }

    private void Dispatch(HistoryEvent e)
    {
        switch (e.EventTypeCase)
        {
            case EventCase.ExecutionStarted:
                this.Start(e.ExecutionStarted);
                break;
            case EventCase.TaskScheduled:
                this.MatchScheduled(e, ActionCase.ScheduleTask, e.TaskScheduled.Name);
                break;
            case EventCase.SubOrchestrationInstanceCreated:
                this.MatchScheduled(e, ActionCase.CreateSubOrchestration, e.SubOrchestrationInstanceCreated.Name);
                break;
            case EventCase.TimerCreated:
                this.MatchScheduled(e, ActionCase.CreateTimer, null);
                break;
            case EventCase.EventSent:
                this.MatchScheduled(e, ActionCase.SendEvent, e.EventSent.Name);
                break;
            case EventCase.ExecutionCompleted or EventCase.ContinueAsNew:
                this.MatchScheduled(e, ActionCase.CompleteOrchestration, null);
                break;
            case EventCase.TaskCompleted:
                this.CompleteTask(e.TaskCompleted.TaskScheduledId, e);
                break;
            case EventCase.TaskFailed:
                this.CompleteTask(e.TaskFailed.TaskScheduledId, e);
                break;
            case EventCase.SubOrchestrationInstanceCompleted:
                this.CompleteTask(e.SubOrchestrationInstanceCompleted.TaskScheduledId, e);
                break;
            case EventCase.SubOrchestrationInstanceFailed:
                this.CompleteTask(e.SubOrchestrationInstanceFailed.TaskScheduledId, e);
                break;
            case EventCase.TimerFired:
                this.CompleteTask(e.TimerFired.TimerId, e);
                break;
            case EventCase.EventRaised:
                this.DeliverEvent(e);
                break;
            case EventCase.ExecutionTerminated:
                this.Terminate(e.ExecutionTerminated.Input);
                break;
            case EventCase.ExecutionSuspended:
                this.isSuspended = true;
                break;
            case EventCase.ExecutionResumed:
                this.Resume();
                break;
            default:
                // orchestratorCompleted, genericEvent, historyState and unknown kinds carry nothing to replay (§5.5).
                break;
        }
    }

    private void Start(ExecutionStartedEvent started)
    {
        if (this.orchestratorTask is not null || this.completion is not null)
        {
            return;
        }

        this.name = started.Name;
        this.inputJson = started.Input;
        this.executionId = started.OrchestrationInstance?.ExecutionId ?? this.executionId;
        this.parentInstanceId = started.ParentInstance?.OrchestrationInstance?.InstanceId;
        OrchestratorInvoker? invoker = this.resolveOrchestrator(started.Name);
        if (invoker is null)
        {
            this.Complete(ProtoStatus.Failed, result: null, new TaskFailureDetails(
                typeof(ArgumentException).FullName!,
                $"No orchestrator named '{started.Name}' is registered (instance '{this.InstanceId}').",
                IsNonRetriable: true));
            return;
        }

        // Started on the replay scheduler so that every await inside the orchestrator comes back to it.
        this.orchestratorTask = Task.Factory.StartNew(() => invoker(this), CancellationToken.None, TaskCreationOptions.None, this.scheduler).Unwrap();
    }

    private void MatchScheduled(HistoryEvent e, ActionCase kind, string? taskName)
    {
        if (this.failedNonDeterministically)
        {
            // Only the recorded failure itself can still match.
            if (kind == ActionCase.CompleteOrchestration && this.completion?.Id == e.EventId)
            {
                this.pendingActions.Remove(e.EventId);
            }

            return;
        }

        string expected = Describe(e);
        if (!this.pendingActions.Remove(e.EventId, out OrchestratorAction? action))
        {
            this.FailNonDeterministic(new NonDeterministicOrchestrationException(e.EventId, expected, "no action"));
            return;
        }

        bool sameKind = action.OrchestratorActionTypeCase == kind;
        string? actionName = action.OrchestratorActionTypeCase switch
        {
            ActionCase.ScheduleTask => action.ScheduleTask.Name,
            ActionCase.CreateSubOrchestration => action.CreateSubOrchestration.Name,
            ActionCase.SendEvent => action.SendEvent.Name,
            _ => null,
        };
        if (!sameKind || (taskName is not null && !string.Equals(actionName, taskName, StringComparison.OrdinalIgnoreCase)))
        {
            this.FailNonDeterministic(new NonDeterministicOrchestrationException(e.EventId, expected, Describe(action)));
        }
    }

    private void CompleteTask(int taskId, HistoryEvent e)
    {
        // A completion without an open task is a duplicate delivery: ignore it (§5.4).
        if (this.completion is null && this.openTasks.Remove(taskId, out Action<HistoryEvent>? complete))
        {
            complete(e);
        }
    }

    private void DeliverEvent(HistoryEvent e)
    {
        if (this.completion is null && this.eventWaiters.TryGetValue(e.EventRaised.Name, out Queue<Func<string?, bool>>? waiters))
        {
            while (waiters.TryDequeue(out Func<string?, bool>? waiter))
            {
                if (waiter(e.EventRaised.Input))
                {
                    return;
                }
            }
        }

        this.unconsumedEvents.Add(e);
    }

    private void Terminate(string? reason)
    {
        this.isSuspended = false;
        if (this.completion is not null)
        {
            return;
        }

        // Nothing this episode created may run after a termination.
        this.pendingActions.Clear();
        this.Complete(ProtoStatus.Terminated, reason, failure: null);
    }

    private void Resume()
    {
        this.isSuspended = false;
        HistoryEvent[] buffered = [.. this.eventsWhileSuspended];
        this.eventsWhileSuspended.Clear();
        foreach (HistoryEvent e in buffered)
        {
            this.Process(e);
        }
    }

    private void CompleteIfOrchestratorReturned()
    {
        if (this.completion is not null || this.orchestratorTask is not { IsCompleted: true } task)
        {
            return;
        }

        if (task.IsCompletedSuccessfully)
        {
            if (this.continueAsNew is { } next)
            {
                this.Complete(ProtoStatus.ContinuedAsNew, next.InputJson, failure: null);
            }
            else
            {
                this.Complete(ProtoStatus.Completed, task.Result, failure: null);
            }

            return;
        }

        Exception error = task.Exception?.InnerException ?? new TaskCanceledException(task);
        this.Complete(ProtoStatus.Failed, result: null, TaskFailureDetails.FromException(error));
    }

    private void FailNonDeterministic(NonDeterministicOrchestrationException error)
    {
        this.failedNonDeterministically = true;
        this.pendingActions.Clear();
        this.completion = null;
        this.Complete(ProtoStatus.Failed, result: null, new TaskFailureDetails(typeof(NonDeterministicOrchestrationException).FullName!, error.Message, IsNonRetriable: true));
    }

    private void Complete(ProtoStatus status, string? result, TaskFailureDetails? failure)
    {
        var complete = new CompleteOrchestrationAction { OrchestrationStatus = status };
        if (result is not null)
        {
            complete.Result = result;
        }

        if (failure is not null)
        {
            complete.FailureDetails = failure.ToProto();
        }

        this.completion = new OrchestratorAction { Id = this.nextSequenceNumber++, CompleteOrchestration = complete };
        this.pendingActions[this.completion.Id] = this.completion;
    }

    private int AddAction(OrchestratorAction action)
    {
        action.Id = this.nextSequenceNumber++;
        if (this.completion is null)
        {
            this.pendingActions[action.Id] = action;
        }

        return action.Id;
    }

    private Task<TResult> ScheduleTask<TResult>(string taskName, string? inputText)
    {
        var schedule = new ScheduleTaskAction { Name = taskName };
        if (inputText is not null)
        {
            schedule.Input = inputText;
        }

        int id = this.AddAction(new OrchestratorAction { ScheduleTask = schedule });
        var tcs = new TaskCompletionSource<TResult>();
        this.openTasks[id] = e =>
        {
            if (e.EventTypeCase == EventCase.TaskCompleted)
            {
                this.SetResultFromJson(tcs, e.TaskCompleted.Result);
            }
            else if (e.EventTypeCase == EventCase.TaskFailed)
            {
                tcs.TrySetException(new TaskFailedException(taskName, id, Unknown(TaskFailureDetails.FromProto(e.TaskFailed.FailureDetails))));
            }
        };
        return tcs.Task;
    }

    private Task<TResult> CreateSubOrchestration<TResult>(string orchestratorName, string? explicitInstanceId, string? inputText)
    {
        // Always set: the Functions backend does not generate child IDs (§5.8). Each retry gets a fresh ID.
        string childId = explicitInstanceId ?? this.NewGuid().ToString("N");
        var create = new CreateSubOrchestrationAction { InstanceId = childId, Name = orchestratorName };
        if (inputText is not null)
        {
            create.Input = inputText;
        }

        int id = this.AddAction(new OrchestratorAction { CreateSubOrchestration = create });
        var tcs = new TaskCompletionSource<TResult>();
        this.openTasks[id] = e =>
        {
            if (e.EventTypeCase == EventCase.SubOrchestrationInstanceCompleted)
            {
                this.SetResultFromJson(tcs, e.SubOrchestrationInstanceCompleted.Result);
            }
            else if (e.EventTypeCase == EventCase.SubOrchestrationInstanceFailed)
            {
                tcs.TrySetException(new TaskFailedException(orchestratorName, id, Unknown(TaskFailureDetails.FromProto(e.SubOrchestrationInstanceFailed.FailureDetails))));
            }
        };
        return tcs.Task;
    }

    private Task<TResult> WithRetry<TResult>(Func<Task<TResult>> attempt, RetryPolicy? policy)
    {
        return policy is null ? attempt() : Retrying();

        async Task<TResult> Retrying()
        {
            DateTime firstAttemptAt = this.currentUtcDateTime;
            for (int attemptsMade = 1; ; attemptsMade++)
            {
                try
                {
                    return await attempt();
                }
                catch (TaskFailedException failed) when (policy.ShouldRetry(failed.FailureDetails, attemptsMade, this.currentUtcDateTime - firstAttemptAt))
                {
                    // Waiting is a durable timer, so the wait is replayed, not repeated.
                    await this.CreateTimer(this.currentUtcDateTime.Add(policy.GetRetryDelay(attemptsMade)), CancellationToken.None);
                }
            }
        }
    }

    private void SetResultFromJson<T>(TaskCompletionSource<T> tcs, string? jsonText)
    {
        try
        {
            tcs.TrySetResult(this.Deserialize<T>(jsonText)!);
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // A result that does not fit TResult faults the awaiting task, as a failed call would; the engine keeps running.
            tcs.TrySetException(error);
        }
    }

    private T? Deserialize<T>(string? jsonText) =>
        jsonText is null ? default : JsonSerializer.Deserialize<T>(jsonText, this.json);

    private string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), this.json);

    private OrchestratorResponse BuildResponse()
    {
        var response = new OrchestratorResponse { InstanceId = this.request.InstanceId };
        if (this.customStatusJson is not null)
        {
            response.CustomStatus = this.customStatusJson;
        }

        // While suspended nothing new may start (§5.10); the actions are re-created after the resume.
        if (this.isSuspended)
        {
            return response;
        }

        if (this.completion?.CompleteOrchestration is { OrchestrationStatus: ProtoStatus.ContinuedAsNew } carry && this.continueAsNew is { PreserveUnprocessedEvents: true })
        {
            carry.CarryoverEvents.Clear();
            carry.CarryoverEvents.AddRange(this.unconsumedEvents.Concat(this.eventsWhileSuspended)
                .Where(e => e.EventTypeCase == EventCase.EventRaised)
                .Select(e => e.Clone()));
        }

        response.Actions.AddRange(this.pendingActions.Values.OrderBy(a => a.Id));
        return response;
    }

    private sealed record ContinueAsNewRequest(string? InputJson, bool PreserveUnprocessedEvents);
}
