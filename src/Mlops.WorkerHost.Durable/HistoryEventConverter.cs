using DurableTask.Core;
using DurableTask.Core.History;
using Google.Protobuf.WellKnownTypes;
using P = Microsoft.DurableTask.Protobuf;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// DTFx history events to the durabletask protobuf history the worker's <c>GrpcOrchestrationRunner</c> replays
/// (spec §6.1, as the Durable extension's converter maps them).
/// </summary>
internal static class HistoryEventConverter
{
    public static P.HistoryEvent ToProto(HistoryEvent e)
    {
        var p = new P.HistoryEvent { EventId = e.EventId, Timestamp = ToTimestamp(e.Timestamp) };
        switch (e)
        {
            // ContinueAsNewEvent derives from ExecutionCompletedEvent: match it first.
            case ContinueAsNewEvent c:
                p.ContinueAsNew = new P.ContinueAsNewEvent { Input = c.Result };
                break;
            case ExecutionCompletedEvent c:
                p.ExecutionCompleted = new P.ExecutionCompletedEvent
                {
                    OrchestrationStatus = (P.OrchestrationStatus)c.OrchestrationStatus,
                    Result = c.Result,
                    FailureDetails = ToProto(c.FailureDetails),
                };
                break;
            case ExecutionStartedEvent s:
                p.ExecutionStarted = ToProto(s);
                break;
            case ExecutionTerminatedEvent t:
                p.ExecutionTerminated = new P.ExecutionTerminatedEvent { Input = t.Input };
                break;
            case ExecutionSuspendedEvent s:
                p.ExecutionSuspended = new P.ExecutionSuspendedEvent { Input = s.Reason };
                break;
            case ExecutionResumedEvent r:
                p.ExecutionResumed = new P.ExecutionResumedEvent { Input = r.Reason };
                break;
            case TaskScheduledEvent t:
                p.TaskScheduled = new P.TaskScheduledEvent { Name = t.Name ?? "", Version = t.Version, Input = t.Input };
                break;
            case TaskCompletedEvent t:
                p.TaskCompleted = new P.TaskCompletedEvent { TaskScheduledId = t.TaskScheduledId, Result = t.Result };
                break;
            case TaskFailedEvent t:
                p.TaskFailed = new P.TaskFailedEvent { TaskScheduledId = t.TaskScheduledId, FailureDetails = ToProto(t.FailureDetails, t.Reason, t.Details) };
                break;
            case SubOrchestrationInstanceCreatedEvent s:
                p.SubOrchestrationInstanceCreated = new P.SubOrchestrationInstanceCreatedEvent
                {
                    InstanceId = s.InstanceId ?? "",
                    Name = s.Name ?? "",
                    Version = s.Version,
                    Input = s.Input,
                };
                break;
            case SubOrchestrationInstanceCompletedEvent s:
                p.SubOrchestrationInstanceCompleted = new P.SubOrchestrationInstanceCompletedEvent { TaskScheduledId = s.TaskScheduledId, Result = s.Result };
                break;
            case SubOrchestrationInstanceFailedEvent s:
                p.SubOrchestrationInstanceFailed = new P.SubOrchestrationInstanceFailedEvent
                {
                    TaskScheduledId = s.TaskScheduledId,
                    FailureDetails = ToProto(s.FailureDetails, s.Reason, s.Details),
                };
                break;
            case TimerCreatedEvent t:
                p.TimerCreated = new P.TimerCreatedEvent { FireAt = ToTimestamp(t.FireAt) };
                break;
            case TimerFiredEvent t:
                p.TimerFired = new P.TimerFiredEvent { FireAt = ToTimestamp(t.FireAt), TimerId = t.TimerId };
                break;
            case OrchestratorStartedEvent:
                p.OrchestratorStarted = new P.OrchestratorStartedEvent();
                break;
            case OrchestratorCompletedEvent:
                p.OrchestratorCompleted = new P.OrchestratorCompletedEvent();
                break;
            case EventSentEvent s:
                p.EventSent = new P.EventSentEvent { InstanceId = s.InstanceId ?? "", Name = s.Name ?? "", Input = s.Input };
                break;
            case EventRaisedEvent r:
                p.EventRaised = new P.EventRaisedEvent { Name = r.Name ?? "", Input = r.Input };
                break;
            case GenericEvent g:
                p.GenericEvent = new P.GenericEvent { Data = g.Data };
                break;
            case ExecutionRewoundEvent:
                p.ExecutionRewound = new P.ExecutionRewoundEvent();
                break;
            default:
                // HistoryState and entity events never reach an orchestrator episode on this provider; a generic
                // event keeps the event ids aligned if one ever does.
                p.GenericEvent = new P.GenericEvent { Data = e.EventType.ToString() };
                break;
        }

        return p;
    }

    public static P.TaskFailureDetails? ToProto(FailureDetails? details, string? reason = null, string? fallbackDetails = null)
    {
        if (details is null)
        {
            // Events written without FailureDetails (older DTFx, or middleware that only set a reason) still
            // have to fail the worker's task with something readable.
            return reason is null && fallbackDetails is null
                ? null
                : new P.TaskFailureDetails { ErrorType = "(unknown)", ErrorMessage = reason ?? "", StackTrace = fallbackDetails };
        }

        var p = new P.TaskFailureDetails
        {
            ErrorType = details.ErrorType ?? "",
            ErrorMessage = details.ErrorMessage ?? "",
            StackTrace = details.StackTrace,
            InnerFailure = ToProto(details.InnerFailure),
            IsNonRetriable = details.IsNonRetriable,
        };
        return p;
    }

    public static FailureDetails? FromProto(P.TaskFailureDetails? details) =>
        details is null
            ? null
            : new FailureDetails(details.ErrorType ?? "", details.ErrorMessage ?? "", details.StackTrace, FromProto(details.InnerFailure), details.IsNonRetriable);

    public static Timestamp ToTimestamp(DateTime time) => Timestamp.FromDateTime(time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    });

    private static P.ExecutionStartedEvent ToProto(ExecutionStartedEvent s)
    {
        var p = new P.ExecutionStartedEvent
        {
            Name = s.Name ?? "",
            Version = s.Version,
            Input = s.Input,
            OrchestrationInstance = ToProto(s.OrchestrationInstance),
            ScheduledStartTimestamp = s.ScheduledStartTime is { } start ? ToTimestamp(start) : null,
        };
        if (s.ParentInstance is { } parent)
        {
            p.ParentInstance = new P.ParentInstanceInfo
            {
                TaskScheduledId = parent.TaskScheduleId,
                Name = parent.Name,
                Version = parent.Version,
                OrchestrationInstance = ToProto(parent.OrchestrationInstance),
            };
        }

        if (s.ParentTraceContext is { } trace)
        {
            p.ParentTraceContext = new P.TraceContext { TraceParent = trace.TraceParent ?? "", TraceState = trace.TraceState };
        }

        if (s.Tags is { } tags)
        {
            foreach (var (key, value) in tags)
            {
                p.Tags[key] = value;
            }
        }

        return p;
    }

    private static P.OrchestrationInstance? ToProto(OrchestrationInstance? instance) =>
        instance is null ? null : new P.OrchestrationInstance { InstanceId = instance.InstanceId ?? "", ExecutionId = instance.ExecutionId };
}
