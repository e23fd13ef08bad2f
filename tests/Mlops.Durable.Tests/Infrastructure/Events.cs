using Google.Protobuf.WellKnownTypes;
using Mlops.Durable.Protocol;

namespace Mlops.Durable.Tests.Infrastructure;

/// <summary>Hand-building history events the way the backend records them (§5.4: eventId −1 except on "scheduled" events).</summary>
internal static class Events
{
    public static readonly DateTime T0 = new(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static Timestamp Ts(DateTime time) => Timestamp.FromDateTime(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    public static HistoryEvent OrchestratorStarted(DateTime time) => new() { EventId = -1, Timestamp = Ts(time), OrchestratorStarted = new() };

    public static HistoryEvent OrchestratorCompleted(DateTime time) => new() { EventId = -1, Timestamp = Ts(time), OrchestratorCompleted = new() };

    public static HistoryEvent ExecutionStarted(DateTime time, string name, string? input, string instanceId = "abc", string executionId = "e1")
    {
        var started = new ExecutionStartedEvent { Name = name, OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId } };
        if (input is not null)
        {
            started.Input = input;
        }

        return new HistoryEvent { EventId = -1, Timestamp = Ts(time), ExecutionStarted = started };
    }

    public static HistoryEvent TaskScheduled(DateTime time, int id, string name) => new() { EventId = id, Timestamp = Ts(time), TaskScheduled = new TaskScheduledEvent { Name = name } };

    public static HistoryEvent TaskCompleted(DateTime time, int id, string? result)
    {
        var completed = new TaskCompletedEvent { TaskScheduledId = id };
        if (result is not null)
        {
            completed.Result = result;
        }

        return new HistoryEvent { EventId = -1, Timestamp = Ts(time), TaskCompleted = completed };
    }

    public static HistoryEvent TaskFailed(DateTime time, int id, string errorType, string message) =>
        new() { EventId = -1, Timestamp = Ts(time), TaskFailed = new TaskFailedEvent { TaskScheduledId = id, FailureDetails = new Protocol.TaskFailureDetails { ErrorType = errorType, ErrorMessage = message } } };

    public static HistoryEvent TimerCreated(DateTime time, int id, DateTime fireAt) => new() { EventId = id, Timestamp = Ts(time), TimerCreated = new TimerCreatedEvent { FireAt = Ts(fireAt) } };

    public static HistoryEvent TimerFired(DateTime time, int id, DateTime fireAt) => new() { EventId = -1, Timestamp = Ts(time), TimerFired = new TimerFiredEvent { TimerId = id, FireAt = Ts(fireAt) } };

    public static HistoryEvent EventRaised(DateTime time, string name, string? input)
    {
        var raised = new EventRaisedEvent { Name = name };
        if (input is not null)
        {
            raised.Input = input;
        }

        return new HistoryEvent { EventId = -1, Timestamp = Ts(time), EventRaised = raised };
    }

    public static HistoryEvent ExecutionCompleted(DateTime time, int id, Protocol.OrchestrationStatus status, string? result)
    {
        var completed = new ExecutionCompletedEvent { OrchestrationStatus = status };
        if (result is not null)
        {
            completed.Result = result;
        }

        return new HistoryEvent { EventId = id, Timestamp = Ts(time), ExecutionCompleted = completed };
    }

    public static OrchestratorRequest Request(IEnumerable<HistoryEvent> past, IEnumerable<HistoryEvent> @new, string instanceId = "abc")
    {
        var request = new OrchestratorRequest { InstanceId = instanceId };
        request.PastEvents.AddRange(past);
        request.NewEvents.AddRange(@new);
        return request;
    }
}
