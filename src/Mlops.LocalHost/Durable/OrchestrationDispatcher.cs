using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mlops.Durable.Protocol;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Durable;

/// <summary>
/// Runs orchestration episodes as DTFx does (spec §5 "Emulator"): all pending messages of an instance go into one episode,
/// episodes of one instance never overlap, outbound messages are sent before the history checkpoint (so a crash repeats
/// work rather than losing it) and duplicates from a repeated episode are dropped against the committed history.
/// </summary>
internal sealed class OrchestrationDispatcher(DurableContext ctx)
{
    private static readonly TimeSpan MaxQueueDelay = TimeSpan.FromDays(6);
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OrchestrationHistory> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _episodes = new(ctx.Options.MaxConcurrentOrchestrations);

    private sealed record Pending(LeasedMessage Leased, TaskMessage Message);

    private sealed class Session
    {
        public List<Pending> Pending { get; } = [];
    }

    /// <summary>Number of instances with work in this host right now (for idle checks in tests and benchmarks).</summary>
    public int ActiveSessions
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.Count;
            }
        }
    }

    public async Task OnMessageAsync(LeasedMessage leased, CancellationToken cancellationToken)
    {
        TaskMessage message;
        try
        {
            message = await ctx.Codec.ReadAsync(leased.Message.Body.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidProtocolBufferException or InvalidOperationException or NullReferenceException)
        {
            ctx.Console.Line($"Discarding an unreadable control-queue message {leased.Message.MessageId}: {ex.Message}");
            await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Durable timers wait in the queue as invisible messages; one that shows up early (longer than the queue allows) goes back.
        if (message.Event.EventTypeCase == HistoryEvent.EventTypeOneofCase.TimerFired)
        {
            var remaining = message.Event.TimerFired.FireAt.ToDateTime() - DateTime.UtcNow;
            if (remaining > TimeSpan.FromMilliseconds(20))
            {
                await ctx.Codec.SendAsync(leased.Queue, message, remaining > MaxQueueDelay ? MaxQueueDelay : remaining, cancellationToken).ConfigureAwait(false);
                await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        Session? start = null;
        lock (_sessions)
        {
            if (_sessions.TryGetValue(message.InstanceId, out var session))
            {
                session.Pending.Add(new Pending(leased, message));
            }
            else
            {
                start = new Session();
                start.Pending.Add(new Pending(leased, message));
                _sessions[message.InstanceId] = start;
            }
        }

        if (start is not null)
        {
            _ = Task.Run(() => RunSessionAsync(message.InstanceId, start, cancellationToken), CancellationToken.None);
        }
    }

    private async Task RunSessionAsync(string instanceId, Session session, CancellationToken cancellationToken)
    {
        while (true)
        {
            List<Pending> batch;
            lock (_sessions)
            {
                if (session.Pending.Count == 0 || cancellationToken.IsCancellationRequested)
                {
                    _sessions.Remove(instanceId);
                    return;
                }

                batch = [.. session.Pending];
                session.Pending.Clear();
            }

            try
            {
                await _episodes.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                continue;
            }

            try
            {
                await ProcessAsync(instanceId, batch, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _cache.TryRemove(instanceId, out _);
                ctx.Console.Line($"Episode of instance '{instanceId}' abandoned, it will be retried: {ex.GetType().Name}: {ex.Message}");
                await ReleaseAllAsync(batch, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Shutting down: the messages' leases lapse and another run picks them up.
            }
            finally
            {
                _episodes.Release();
            }
        }
    }

    private static Task ReleaseAllAsync(IEnumerable<Pending> batch, TimeSpan delay) =>
        Task.WhenAll(batch.Select(p => p.Leased.ReleaseAsync(delay, CancellationToken.None)));

    private async Task<OrchestrationHistory> LoadHistoryAsync(string instanceId, CancellationToken cancellationToken)
    {
        // A cached history is used only while the sentinel still has the ETag we last wrote (one point read instead of a query).
        if (_cache.TryGetValue(instanceId, out var cached) && cached.SentinelETag is { } etag)
        {
            try
            {
                var sentinel = await ctx.Hub.History.GetEntityAsync<Azure.Data.Tables.TableEntity>(instanceId, "sentinel", ["ExecutionId"], cancellationToken).ConfigureAwait(false);
                if (sentinel.Value.ETag == etag)
                {
                    return cached;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }

        var history = await ctx.History.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (_cache.Count > 2000)
        {
            _cache.Clear();
        }

        _cache[instanceId] = history;
        return history;
    }

    private async Task ProcessAsync(string instanceId, List<Pending> batch, CancellationToken cancellationToken)
    {
        batch.Sort((a, b) => Nullable.Compare(a.Leased.Message.InsertedOn, b.Leased.Message.InsertedOn));
        var history = await LoadHistoryAsync(instanceId, cancellationToken).ConfigureAwait(false);
        var row = await ctx.Instances.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
        var status = DurableEvents.StatusOf(history.Events);

        // 1. Decide which messages this episode takes (spec §5 "Emulator" step 3, plus duplicate removal).
        HistoryEvent? start = null;
        TaskMessage? startMessage = null;
        var accepted = new List<HistoryEvent>();
        var deferred = new List<Pending>();
        var done = new List<Pending>();
        var scheduled = new HashSet<(HistoryEvent.EventTypeOneofCase, int)>();
        var completed = new HashSet<(HistoryEvent.EventTypeOneofCase, int)>();
        foreach (var e in history.Events)
        {
            Track(e, scheduled, completed);
        }

        foreach (var p in batch)
        {
            var e = p.Message.Event;
            if (e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)
            {
                var startedExecution = e.ExecutionStarted.OrchestrationInstance?.ExecutionId;
                var canStart = start is null && startedExecution != history.ExecutionId &&
                               (status is null || status == RuntimeStatus.ContinuedAsNew || InstanceRecord.IsTerminal(status.Value));
                if (canStart)
                {
                    start = e;
                    startMessage = p.Message;
                    accepted.Clear(); // events seen so far belonged to the previous execution
                    scheduled.Clear();
                    completed.Clear();
                }

                done.Add(p);
                continue;
            }

            var currentExecution = start?.ExecutionStarted.OrchestrationInstance?.ExecutionId ?? history.ExecutionId;
            var running = start is not null || status is RuntimeStatus.Running or RuntimeStatus.Suspended;
            if (!running)
            {
                // Not started yet but created (the start message is still on its way): keep the message for later.
                if (status is null && row is { RuntimeStatus: RuntimeStatus.Pending })
                {
                    deferred.Add(p);
                }
                else
                {
                    done.Add(p);
                }

                continue;
            }

            done.Add(p);
            if (p.Message.ExecutionId is { } target && target != currentExecution)
            {
                continue;
            }

            var key = CompletionKey(e);
            if (key is { } k)
            {
                var scheduledKind = ScheduledKindFor(e.EventTypeCase);
                if (!scheduled.Contains((scheduledKind, k)) || !completed.Add((scheduledKind, k)))
                {
                    continue; // a duplicate from a repeated episode or activity, or an orphan of an uncommitted one
                }
            }

            accepted.Add(e);
        }

        if (deferred.Count > 0)
        {
            await Task.WhenAll(deferred.Select(p => p.Leased.ReleaseAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None))).ConfigureAwait(false);
        }

        if (start is null && accepted.Count == 0)
        {
            await ReconcileRowAsync(history, row, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(done.Select(p => p.Leased.DeleteAsync(cancellationToken))).ConfigureAwait(false);
            return;
        }

        // 2. Build the request: past = committed history of the execution, new = orchestratorStarted + the messages.
        var executionId = start?.ExecutionStarted.OrchestrationInstance?.ExecutionId ?? history.ExecutionId!;
        var past = start is null ? history.Events : [];
        var newEvents = new List<HistoryEvent> { DurableEvents.OrchestratorStarted() };
        if (start is not null)
        {
            newEvents.Add(start);
            newEvents.AddRange(startMessage!.CarryoverEvents);
        }

        newEvents.AddRange(accepted);
        var started = DurableEvents.StartOf(past) ?? start!.ExecutionStarted;
        var name = started.Name;

        // 3. Invoke the orchestrator function (spec §3.2).
        OrchestratorResponse response;
        var function = ctx.Orchestrator(name);
        if (function is null)
        {
            response = Failure(instanceId, "System.InvalidOperationException",
                $"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function.", null);
        }
        else
        {
            var request = new OrchestratorRequest { InstanceId = instanceId };
            request.PastEvents.AddRange(past);
            request.NewEvents.AddRange(newEvents);
            var data = new JsonObject { [function.Trigger!.Name] = PayloadEncoding.EncodeString(Convert.ToBase64String(request.ToByteArray())) };
            var metadata = new JsonObject { ["sys"] = PayloadEncoding.Sys(function.Name) };
            InvocationResult result;
            try
            {
                result = await ctx.Invoker.InvokeAsync(function.Name, data, metadata, "(null)", cancellationToken).ConfigureAwait(false);
            }
            catch (HandlerUnavailableException)
            {
                // The worker died or timed out: the episode is aborted and retried later (spec §3.2 outcomes).
                await ReleaseAllAsync(done, TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                return;
            }

            response = ParseResponse(instanceId, function.Name, result);
        }

        // 4. Apply the actions in order.
        var appended = new List<HistoryEvent>(newEvents);
        var outbound = new List<(QueueClient Queue, TaskMessage Message, TimeSpan? Delay)>();
        var parent = started.ParentInstance;
        ExecutionCompletedEvent? completion = null;
        var continuedAsNew = false;
        foreach (var action in response.Actions)
        {
            var id = action.Id;
            var stop = false;
            switch (action.OrchestratorActionTypeCase)
            {
                case OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                    {
                        var st = action.ScheduleTask;
                        // storeInputsInOrchestrationHistory=false: the input travels in the work item only (spec §1.2, §8.7).
                        appended.Add(Scheduled(id, e => e.TaskScheduled = new TaskScheduledEvent { Name = st.Name, Version = st.Version }));
                        var work = DurableEvents.New(id);
                        work.TaskScheduled = new TaskScheduledEvent { Name = st.Name, Version = st.Version, Input = st.Input };
                        outbound.Add((ctx.Hub.WorkItems, new TaskMessage { Event = work, InstanceId = instanceId, ExecutionId = executionId }, null));
                        break;
                    }

                case OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                    {
                        var fireAt = action.CreateTimer.FireAt ?? DurableEvents.Now();
                        appended.Add(Scheduled(id, e => e.TimerCreated = new TimerCreatedEvent { FireAt = fireAt }));
                        var fired = DurableEvents.New();
                        fired.TimerFired = new TimerFiredEvent { FireAt = fireAt, TimerId = id };
                        var delay = fireAt.ToDateTime() - DateTime.UtcNow;
                        outbound.Add((ctx.Hub.ControlQueueFor(instanceId), new TaskMessage { Event = fired, InstanceId = instanceId, ExecutionId = executionId },
                            delay <= TimeSpan.Zero ? null : delay > MaxQueueDelay ? MaxQueueDelay : delay));
                        break;
                    }

                case OrchestratorAction.OrchestratorActionTypeOneofCase.CreateSubOrchestration:
                    {
                        var sub = action.CreateSubOrchestration;
                        var childId = string.IsNullOrEmpty(sub.InstanceId) ? DurableEvents.DerivedExecutionId(instanceId, executionId, id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : sub.InstanceId;
                        appended.Add(Scheduled(id, e => e.SubOrchestrationInstanceCreated = new SubOrchestrationInstanceCreatedEvent { InstanceId = childId, Name = sub.Name, Version = sub.Version }));
                        var childExecution = DurableEvents.DerivedExecutionId(instanceId, executionId, "sub", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        var childStart = DurableEvents.ExecutionStarted(sub.Name, sub.Version, sub.Input, childId, childExecution, new ParentInstanceInfo
                        {
                            TaskScheduledId = id,
                            Name = name,
                            Version = started.Version,
                            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId },
                        });
                        outbound.Add((ctx.Hub.ControlQueueFor(childId), new TaskMessage { Event = childStart, InstanceId = childId, SenderInstanceId = instanceId }, null));
                        break;
                    }

                case OrchestratorAction.OrchestratorActionTypeOneofCase.SendEvent:
                    {
                        var se = action.SendEvent;
                        var target = se.Instance?.InstanceId ?? "";
                        appended.Add(Scheduled(id, e => e.EventSent = new EventSentEvent { InstanceId = target, Name = se.Name, Input = se.Data }));
                        outbound.Add((ctx.Hub.ControlQueueFor(target), new TaskMessage { Event = DurableEvents.EventRaised(se.Name, se.Data), InstanceId = target, SenderInstanceId = instanceId }, null));
                        break;
                    }

                case OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration:
                    {
                        var c = action.CompleteOrchestration;
                        stop = true;
                        if (c.OrchestrationStatus == OrchestrationStatus.ContinuedAsNew)
                        {
                            continuedAsNew = true;
                            appended.Add(Scheduled(id, e => e.ContinueAsNew = new ContinueAsNewEvent { Input = c.Result }));
                            var nextExecution = DurableEvents.DerivedExecutionId(instanceId, executionId, "continue-as-new");
                            var restart = DurableEvents.ExecutionStarted(name, c.NewVersion ?? started.Version, c.Result, instanceId, nextExecution, parent);
                            var carry = c.CarryoverEvents.Where(x => x.EventTypeCase == HistoryEvent.EventTypeOneofCase.EventRaised).ToList();
                            outbound.Add((ctx.Hub.ControlQueueFor(instanceId), new TaskMessage { Event = restart, InstanceId = instanceId, CarryoverEvents = carry, SenderInstanceId = instanceId }, null));
                        }
                        else
                        {
                            completion = new ExecutionCompletedEvent { OrchestrationStatus = c.OrchestrationStatus, Result = c.Result, FailureDetails = c.FailureDetails };
                            appended.Add(Scheduled(id, e => e.ExecutionCompleted = completion));
                        }

                        break;
                    }

                default:
                    {
                        // The Functions extension rejects these actions, which fails the orchestration (spec §3.2).
                        stop = true;
                        completion = new ExecutionCompletedEvent
                        {
                            OrchestrationStatus = OrchestrationStatus.Failed,
                            FailureDetails = new TaskFailureDetails
                            {
                                ErrorType = "System.NotSupportedException",
                                ErrorMessage = $"The action type {action.OrchestratorActionTypeCase} is not supported.",
                            },
                        };
                        appended.Add(Scheduled(id, e => e.ExecutionCompleted = completion));
                        break;
                    }
            }

            if (stop)
            {
                break;
            }
        }

        if (completion is not null && parent?.OrchestrationInstance is { } parentInstance)
        {
            var note = DurableEvents.New();
            if (completion.OrchestrationStatus == OrchestrationStatus.Completed)
            {
                note.SubOrchestrationInstanceCompleted = new SubOrchestrationInstanceCompletedEvent { TaskScheduledId = parent.TaskScheduledId, Result = completion.Result };
            }
            else
            {
                note.SubOrchestrationInstanceFailed = new SubOrchestrationInstanceFailedEvent
                {
                    TaskScheduledId = parent.TaskScheduledId,
                    FailureDetails = completion.FailureDetails ?? new TaskFailureDetails
                    {
                        ErrorType = completion.OrchestrationStatus == OrchestrationStatus.Terminated ? "OrchestrationTerminated" : "OrchestrationFailed",
                        ErrorMessage = completion.Result ?? $"Sub-orchestration '{instanceId}' ended {DurableEvents.FromProto(completion.OrchestrationStatus)}.",
                    },
                };
            }

            outbound.Add((ctx.Hub.ControlQueueFor(parentInstance.InstanceId), new TaskMessage
            {
                Event = note,
                InstanceId = parentInstance.InstanceId,
                ExecutionId = parentInstance.ExecutionId,
                SenderInstanceId = instanceId,
            }, null));
        }

        appended.Add(DurableEvents.OrchestratorCompleted());

        // 5. Send first, then checkpoint: a crash in between repeats the episode (duplicates are dropped above), never loses a message.
        await Parallel.ForEachAsync(outbound, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (o, ct) => await ctx.SendAsync(o.Queue, o.Message, o.Delay, ct).ConfigureAwait(false)).ConfigureAwait(false);
        try
        {
            await ctx.History.CommitAsync(history, executionId, appended, cancellationToken).ConfigureAwait(false);
        }
        catch (HistoryConflictException)
        {
            _cache.TryRemove(instanceId, out _);
            ctx.Console.Debug($"Instance '{instanceId}': another host checkpointed first; retrying the episode.");
            await ReleaseAllAsync(done, TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            return;
        }

        // 6. The Instances row follows the history (custom status is replaced every episode: spec §5.7).
        var record = row ?? new InstanceRecord { InstanceId = instanceId, CreatedTime = DateTimeOffset.UtcNow };
        ApplyState(record, history, started);
        record.CustomStatus = response.CustomStatus;
        await ctx.Instances.UpsertAsync(record, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(done.Select(p => p.Leased.DeleteAsync(cancellationToken))).ConfigureAwait(false);

        if (completion is not null || continuedAsNew)
        {
            var final = completion is null ? RuntimeStatus.ContinuedAsNew : DurableEvents.FromProto(completion.OrchestrationStatus);
            ctx.Console.Debug($"Instance '{instanceId}' ({name}) is {final}.");
        }
    }

    private static HistoryEvent Scheduled(int id, Action<HistoryEvent> fill)
    {
        var e = DurableEvents.New(id);
        fill(e);
        return e;
    }

    private async Task ReconcileRowAsync(OrchestrationHistory history, InstanceRecord? row, CancellationToken cancellationToken)
    {
        // A crash between checkpoint and row update leaves the row behind the history: bring it up to date now.
        if (history.Started && (row is null || row.HistorySequence != history.LastSequence))
        {
            var record = row ?? new InstanceRecord { InstanceId = history.InstanceId, CreatedTime = DateTimeOffset.UtcNow };
            ApplyState(record, history, DurableEvents.StartOf(history.Events)!);
            await ctx.Instances.UpsertAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void ApplyState(InstanceRecord record, OrchestrationHistory history, ExecutionStartedEvent started)
    {
        var now = DateTimeOffset.UtcNow;
        var status = DurableEvents.StatusOf(history.Events) ?? RuntimeStatus.Running;
        record.Name = started.Name;
        record.Version = started.Version;
        record.Input = started.Input;
        record.ExecutionId = history.ExecutionId;
        record.RuntimeStatus = status;
        record.LastUpdatedTime = now;
        record.HistorySequence = history.LastSequence;
        record.Output = null;
        record.CompletedTime = null;
        var completed = history.Events.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionCompleted);
        if (completed is not null)
        {
            record.Output = DurableEvents.OutputOf(completed.ExecutionCompleted);
            record.CompletedTime = now;
        }
        else if (history.Events.LastOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ContinueAsNew) is { } can)
        {
            record.Output = can.ContinueAsNew.Input;
        }
    }

    private static OrchestratorResponse ParseResponse(string instanceId, string function, InvocationResult result)
    {
        string? error = result.Error;
        if (result.Succeeded)
        {
            // ReturnValue must be a JSON string of base64 (single encoding, spec §3.2 and §8.2).
            if (result.ReturnValue is JsonValue v && v.TryGetValue(out string? text) && !string.IsNullOrEmpty(text))
            {
                try
                {
                    return OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(text));
                }
                catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
                {
                    error = "The orchestrator's ReturnValue is not a base64 OrchestratorResponse: " + ex.Message;
                }
            }
            else
            {
                error = "The orchestrator returned a null or empty ReturnValue (is the host older than 4.17.0 or the response not a string?).";
            }
        }

        var output = new JsonObject
        {
            ["message"] = $"Function '{function}' failed with an unhandled exception.",
            ["details"] = $"Microsoft.Azure.WebJobs.Host.FunctionInvocationException: Exception while executing function: Functions.{function} ---> {error}",
        };
        return Failure(instanceId, null, null, output.ToJsonString());
    }

    private static OrchestratorResponse Failure(string instanceId, string? errorType, string? message, string? output)
    {
        var response = new OrchestratorResponse { InstanceId = instanceId };
        var complete = new CompleteOrchestrationAction { OrchestrationStatus = OrchestrationStatus.Failed, Result = output };
        if (errorType is not null)
        {
            complete.FailureDetails = new TaskFailureDetails { ErrorType = errorType, ErrorMessage = message ?? "" };
        }

        response.Actions.Add(new OrchestratorAction { Id = -1, CompleteOrchestration = complete });
        return response;
    }

    private static void Track(HistoryEvent e, HashSet<(HistoryEvent.EventTypeOneofCase, int)> scheduled, HashSet<(HistoryEvent.EventTypeOneofCase, int)> completed)
    {
        switch (e.EventTypeCase)
        {
            case HistoryEvent.EventTypeOneofCase.TaskScheduled:
            case HistoryEvent.EventTypeOneofCase.TimerCreated:
            case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated:
                scheduled.Add((e.EventTypeCase, e.EventId));
                break;
            default:
                if (CompletionKey(e) is { } k)
                {
                    completed.Add((ScheduledKindFor(e.EventTypeCase), k));
                }

                break;
        }
    }

    private static int? CompletionKey(HistoryEvent e) => e.EventTypeCase switch
    {
        HistoryEvent.EventTypeOneofCase.TaskCompleted => e.TaskCompleted.TaskScheduledId,
        HistoryEvent.EventTypeOneofCase.TaskFailed => e.TaskFailed.TaskScheduledId,
        HistoryEvent.EventTypeOneofCase.TimerFired => e.TimerFired.TimerId,
        HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCompleted => e.SubOrchestrationInstanceCompleted.TaskScheduledId,
        HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceFailed => e.SubOrchestrationInstanceFailed.TaskScheduledId,
        _ => null,
    };

    private static HistoryEvent.EventTypeOneofCase ScheduledKindFor(HistoryEvent.EventTypeOneofCase completion) => completion switch
    {
        HistoryEvent.EventTypeOneofCase.TaskCompleted or HistoryEvent.EventTypeOneofCase.TaskFailed => HistoryEvent.EventTypeOneofCase.TaskScheduled,
        HistoryEvent.EventTypeOneofCase.TimerFired => HistoryEvent.EventTypeOneofCase.TimerCreated,
        _ => HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated,
    };
}
