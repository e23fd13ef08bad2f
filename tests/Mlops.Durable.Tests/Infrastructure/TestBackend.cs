using Google.Protobuf.WellKnownTypes;
using Mlops.Durable.Protocol;
using ActionCase = Mlops.Durable.Protocol.OrchestratorAction.OrchestratorActionTypeOneofCase;
using ProtoStatus = Mlops.Durable.Protocol.OrchestrationStatus;

namespace Mlops.Durable.Tests.Infrastructure;

/// <summary>
/// A small in-memory Durable backend that drives the engine episode by episode as the Functions host
/// does (§5 "Emulator: one orchestration episode"): it records histories, runs registered activities,
/// fires timers in orchestration time and starts sub-orchestrations. Every episode goes through the
/// base64 wire encoding, so tests also cover decode/encode.
/// </summary>
internal sealed class TestBackend(DurableFunctionRegistry registry)
{
    private readonly Dictionary<string, TestInstance> instances = new(StringComparer.Ordinal);
    private readonly List<(string InstanceId, string ExecutionId, int TimerId, DateTime FireAt)> timers = [];
    private readonly List<ActivityWorkItem> workItems = [];
    private int executionCounter;
    private (int PastCount, int NewEnd) currentEpisode;

    public DateTime Now { get; private set; } = Events.T0;

    /// <summary>When set, activities finish in a random order and in random batch sizes.</summary>
    public Random? Shuffle { get; init; }

    /// <summary>When set, decides per work item whether the activity "host call" answers HTTP 500.</summary>
    public Func<ActivityWorkItem, bool>? FailActivity { get; init; }

    public IReadOnlyDictionary<string, TestInstance> Instances => this.instances;

    public TestInstance this[string instanceId] => this.instances[instanceId];

    public string Start(string name, object? input = null, string instanceId = "abc")
    {
        string? json = input is null ? null : System.Text.Json.JsonSerializer.Serialize(input, registry.SerializerOptions);
        return this.StartCore(name, json, instanceId, parent: null);
    }

    public void RaiseEvent(string instanceId, string name, object? data) =>
        this.Deliver(instanceId, Events.EventRaised(this.Now, name, data is null ? null : System.Text.Json.JsonSerializer.Serialize(data, registry.SerializerOptions)));

    public void Terminate(string instanceId, string reason) =>
        this.Deliver(instanceId, new HistoryEvent { EventId = -1, Timestamp = Events.Ts(this.Now), ExecutionTerminated = new ExecutionTerminatedEvent { Input = reason } });

    public void Suspend(string instanceId, string reason) =>
        this.Deliver(instanceId, new HistoryEvent { EventId = -1, Timestamp = Events.Ts(this.Now), ExecutionSuspended = new ExecutionSuspendedEvent { Input = reason } });

    public void Resume(string instanceId, string reason) =>
        this.Deliver(instanceId, new HistoryEvent { EventId = -1, Timestamp = Events.Ts(this.Now), ExecutionResumed = new ExecutionResumedEvent { Input = reason } });

    /// <summary>Runs episodes and activities until nothing is left but timers in the future (those fire only when <paramref name="fireTimers"/>).</summary>
    public void RunUntilIdle(bool fireTimers = true, bool runActivities = true)
    {
        for (int step = 0; step < 100_000; step++)
        {
            TestInstance? ready = this.instances.Values.FirstOrDefault(i => i.Inbox.Count > 0);
            if (ready is not null)
            {
                this.RunEpisode(ready);
                continue;
            }

            if (runActivities && this.workItems.Count > 0)
            {
                this.RunSomeActivities();
                continue;
            }

            if (fireTimers && this.timers.Count > 0)
            {
                this.FireNextTimer();
                continue;
            }

            return;
        }

        throw new InvalidOperationException("The backend did not become idle.");
    }

    public void RunActivities() => this.RunSomeActivities(all: true);

    public void FireNextTimer()
    {
        var next = this.timers.OrderBy(t => t.FireAt).ThenBy(t => t.TimerId).First();
        this.timers.Remove(next);
        if (next.FireAt > this.Now)
        {
            this.Now = next.FireAt;
        }

        if (this.instances[next.InstanceId].ExecutionId == next.ExecutionId)
        {
            this.Deliver(next.InstanceId, Events.TimerFired(this.Now, next.TimerId, next.FireAt));
        }
    }

    public OrchestratorResponse RunEpisode(TestInstance instance)
    {
        if (instance.IsTerminal)
        {
            instance.Inbox.Clear(); // messages for completed instances are dropped
            return new OrchestratorResponse();
        }

        this.Now = this.Now.AddSeconds(1);
        List<HistoryEvent> newEvents = [Events.OrchestratorStarted(this.Now), .. instance.Inbox];
        instance.Inbox.Clear();
        OrchestratorRequest request = Events.Request(instance.History, newEvents, instance.Id);

        // Over the wire exactly as the host would: base64 in, base64 out.
        string encoded = OrchestrationRunner.LoadAndRun(Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(request)), registry);
        OrchestratorResponse response = OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(encoded));

        int pastCount = instance.History.Count;
        instance.History.AddRange(newEvents);
        int newEnd = instance.History.Count;
        foreach (HistoryEvent e in newEvents)
        {
            instance.Status = e.EventTypeCase switch
            {
                HistoryEvent.EventTypeOneofCase.ExecutionStarted => ProtoStatus.Running,
                HistoryEvent.EventTypeOneofCase.ExecutionSuspended => ProtoStatus.Suspended,
                HistoryEvent.EventTypeOneofCase.ExecutionResumed => ProtoStatus.Running,
                _ => instance.Status,
            };
        }

        this.currentEpisode = (pastCount, newEnd);
        instance.CustomStatus = response.CustomStatus;
        instance.Responses.Add(response);
        bool continued = false;
        foreach (OrchestratorAction action in response.Actions)
        {
            continued |= this.Apply(instance, action);
        }

        if (continued)
        {
            return response;
        }

        instance.Episodes.Add(new EpisodeRecord(pastCount, newEnd, instance.History.Count));
        instance.History.Add(Events.OrchestratorCompleted(this.Now));
        return response;
    }

    private string StartCore(string name, string? inputJson, string instanceId, ParentInstanceInfo? parent)
    {
        var instance = new TestInstance(instanceId, name) { ExecutionId = $"exec{++this.executionCounter}" };
        this.instances[instanceId] = instance;
        HistoryEvent started = Events.ExecutionStarted(this.Now, name, inputJson, instanceId, instance.ExecutionId);
        started.ExecutionStarted.ParentInstance = parent;
        instance.Inbox.Add(started);
        return instanceId;
    }

    private void Deliver(string instanceId, HistoryEvent e)
    {
        if (this.instances.TryGetValue(instanceId, out TestInstance? target) && !target.IsTerminal)
        {
            target.Inbox.Add(e);
        }
    }

    private bool Apply(TestInstance instance, OrchestratorAction action)
    {
        var recorded = new HistoryEvent { EventId = action.Id, Timestamp = Events.Ts(this.Now) };
        switch (action.OrchestratorActionTypeCase)
        {
            case ActionCase.ScheduleTask:
                recorded.TaskScheduled = new TaskScheduledEvent { Name = action.ScheduleTask.Name };
                this.workItems.Add(new ActivityWorkItem(instance.Id, instance.ExecutionId, action.Id, action.ScheduleTask.Name, action.ScheduleTask.Input));
                break;
            case ActionCase.CreateTimer:
                recorded.TimerCreated = new TimerCreatedEvent { FireAt = action.CreateTimer.FireAt };
                this.timers.Add((instance.Id, instance.ExecutionId, action.Id, action.CreateTimer.FireAt.ToDateTime()));
                break;
            case ActionCase.CreateSubOrchestration:
                CreateSubOrchestrationAction create = action.CreateSubOrchestration;
                recorded.SubOrchestrationInstanceCreated = new SubOrchestrationInstanceCreatedEvent { InstanceId = create.InstanceId, Name = create.Name };
                this.StartCore(create.Name, create.Input, create.InstanceId, new ParentInstanceInfo
                {
                    TaskScheduledId = action.Id,
                    Name = instance.Name,
                    OrchestrationInstance = new OrchestrationInstance { InstanceId = instance.Id, ExecutionId = instance.ExecutionId },
                });
                break;
            case ActionCase.SendEvent:
                SendEventAction send = action.SendEvent;
                recorded.EventSent = new EventSentEvent { InstanceId = send.Instance.InstanceId, Name = send.Name, Input = send.Data };
                this.Deliver(send.Instance.InstanceId, Events.EventRaised(this.Now, send.Name, send.Data));
                break;
            case ActionCase.CompleteOrchestration:
                return this.CompleteInstance(instance, action, recorded);
            default:
                throw new InvalidOperationException($"The Functions extension rejects {action.OrchestratorActionTypeCase} (§3.2).");
        }

        instance.History.Add(recorded);
        return false;
    }

    private bool CompleteInstance(TestInstance instance, OrchestratorAction action, HistoryEvent recorded)
    {
        CompleteOrchestrationAction complete = action.CompleteOrchestration;
        if (complete.OrchestrationStatus == ProtoStatus.ContinuedAsNew)
        {
            recorded.ContinueAsNew = new ContinueAsNewEvent { Input = complete.Result };
            instance.History.Add(recorded);
            instance.Episodes.Add(new EpisodeRecord(this.currentEpisode.PastCount, this.currentEpisode.NewEnd, instance.History.Count));
            instance.History.Add(Events.OrchestratorCompleted(this.Now));
            instance.PreviousExecutions.Add(new ExecutionRecord([.. instance.History], [.. instance.Episodes]));
            HistoryEvent oldStart = instance.History.First(e => e.ExecutionStarted is not null);
            instance.History.Clear();
            instance.Episodes.Clear();
            instance.ExecutionId = $"exec{++this.executionCounter}";
            HistoryEvent restarted = Events.ExecutionStarted(this.Now, instance.Name, complete.Result, instance.Id, instance.ExecutionId);
            restarted.ExecutionStarted.ParentInstance = oldStart.ExecutionStarted.ParentInstance;
            instance.Inbox.Insert(0, restarted);
            instance.Inbox.InsertRange(1, complete.CarryoverEvents.Where(e => e.EventRaised is not null));
            instance.Status = ProtoStatus.ContinuedAsNew;
            return true;
        }

        recorded.ExecutionCompleted = new ExecutionCompletedEvent { OrchestrationStatus = complete.OrchestrationStatus, Result = complete.Result, FailureDetails = complete.FailureDetails };
        instance.History.Add(recorded);
        instance.Status = complete.OrchestrationStatus;
        instance.Output = complete.Result;
        instance.FailureDetails = complete.FailureDetails;

        HistoryEvent started = instance.History.First(e => e.ExecutionStarted is not null);
        if (started.ExecutionStarted.ParentInstance is { } parent)
        {
            var notify = new HistoryEvent { EventId = -1, Timestamp = Events.Ts(this.Now) };
            if (complete.OrchestrationStatus == ProtoStatus.Completed)
            {
                notify.SubOrchestrationInstanceCompleted = new SubOrchestrationInstanceCompletedEvent { TaskScheduledId = parent.TaskScheduledId, Result = complete.Result };
            }
            else
            {
                notify.SubOrchestrationInstanceFailed = new SubOrchestrationInstanceFailedEvent
                {
                    TaskScheduledId = parent.TaskScheduledId,
                    FailureDetails = complete.FailureDetails ?? new Protocol.TaskFailureDetails { ErrorType = "Terminated", ErrorMessage = complete.Result ?? string.Empty },
                };
            }

            this.Deliver(parent.OrchestrationInstance.InstanceId, notify);
        }

        return false;
    }

    private void RunSomeActivities(bool all = false)
    {
        List<ActivityWorkItem> batch;
        if (this.Shuffle is null || all)
        {
            batch = [.. this.workItems];
        }
        else
        {
            int count = this.Shuffle.Next(1, this.workItems.Count + 1);
            batch = [.. this.workItems.OrderBy(_ => this.Shuffle.Next()).Take(count)];
        }

        foreach (ActivityWorkItem item in batch)
        {
            this.workItems.Remove(item);
            this.RunActivity(item);
        }
    }

    private void RunActivity(ActivityWorkItem item)
    {
        HistoryEvent result;
        try
        {
            if (this.FailActivity?.Invoke(item) == true)
            {
                throw new HttpRequestException("Response status code does not indicate success: 500 (Internal Server Error).");
            }

            string? output = registry.RunActivityAsync(item.Name, item.InstanceId, item.Input).GetAwaiter().GetResult();
            result = Events.TaskCompleted(this.Now, item.TaskScheduledId, output);
        }
        catch (Exception error)
        {
            // What the host records for an activity answering HTTP 500 (spec §9a).
            result = new HistoryEvent
            {
                EventId = -1,
                Timestamp = Events.Ts(this.Now),
                TaskFailed = new TaskFailedEvent
                {
                    TaskScheduledId = item.TaskScheduledId,
                    FailureDetails = new Protocol.TaskFailureDetails
                    {
                        ErrorType = "Microsoft.Azure.WebJobs.Host.FunctionInvocationException",
                        ErrorMessage = $"Exception while executing function: Functions.{item.Name}",
                        InnerFailure = new Protocol.TaskFailureDetails { ErrorType = error.GetType().FullName!, ErrorMessage = error.Message },
                    },
                },
            };
        }

        if (this.instances[item.InstanceId].ExecutionId == item.ExecutionId)
        {
            this.Deliver(item.InstanceId, result);
        }
    }
}

internal sealed record ActivityWorkItem(string InstanceId, string ExecutionId, int TaskScheduledId, string Name, string? Input);

/// <summary>Where one episode sits in a history: [0, PastCount) was past, [PastCount, NewEnd) new, [NewEnd, ActionsEnd) the recorded actions.</summary>
internal sealed record EpisodeRecord(int PastCount, int NewEnd, int ActionsEnd);

internal sealed record ExecutionRecord(List<HistoryEvent> History, List<EpisodeRecord> Episodes);

internal sealed class TestInstance(string id, string name)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public string ExecutionId { get; set; } = string.Empty;

    public List<HistoryEvent> History { get; } = [];

    public List<HistoryEvent> Inbox { get; } = [];

    public List<EpisodeRecord> Episodes { get; } = [];

    public List<ExecutionRecord> PreviousExecutions { get; } = [];

    public List<OrchestratorResponse> Responses { get; } = [];

    public ProtoStatus Status { get; set; } = ProtoStatus.Pending;

    public string? Output { get; set; }

    public string? CustomStatus { get; set; }

    public Protocol.TaskFailureDetails? FailureDetails { get; set; }

    public bool IsTerminal => this.Status is ProtoStatus.Completed or ProtoStatus.Failed or ProtoStatus.Terminated or ProtoStatus.Canceled;
}
