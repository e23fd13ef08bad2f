using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Mlops.Durable.Protocol;

namespace Mlops.LocalHost.Durable;

/// <summary>Small constructors and readers for history events, so the dispatcher reads as the spec §5 steps.</summary>
internal static class DurableEvents
{
    public static Timestamp Now() => Timestamp.FromDateTime(DateTime.UtcNow);

    public static HistoryEvent New(int eventId = -1) => new() { EventId = eventId, Timestamp = Now() };

    public static HistoryEvent OrchestratorStarted() { var e = New(); e.OrchestratorStarted = new OrchestratorStartedEvent(); return e; }

    public static HistoryEvent OrchestratorCompleted() { var e = New(); e.OrchestratorCompleted = new OrchestratorCompletedEvent(); return e; }

    public static HistoryEvent ExecutionStarted(string name, string? version, string? input, string instanceId, string executionId, ParentInstanceInfo? parent)
    {
        var e = New();
        e.ExecutionStarted = new ExecutionStartedEvent
        {
            Name = name,
            Version = version,
            Input = input,
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId },
            ParentInstance = parent,
        };
        return e;
    }

    public static HistoryEvent EventRaised(string name, string? input) { var e = New(); e.EventRaised = new EventRaisedEvent { Name = name, Input = input }; return e; }

    public static HistoryEvent Terminated(string? reason) { var e = New(); e.ExecutionTerminated = new ExecutionTerminatedEvent { Input = reason }; return e; }

    public static HistoryEvent Suspended(string? reason) { var e = New(); e.ExecutionSuspended = new ExecutionSuspendedEvent { Input = reason }; return e; }

    public static HistoryEvent Resumed(string? reason) { var e = New(); e.ExecutionResumed = new ExecutionResumedEvent { Input = reason }; return e; }

    /// <summary>A stable execution id for a child or a continue-as-new generation, so a re-run episode cannot start it twice.</summary>
    public static string DerivedExecutionId(params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)));
        return new Guid(hash.AsSpan(0, 16)).ToString("N");
    }

    public static ExecutionStartedEvent? StartOf(IEnumerable<HistoryEvent> events) =>
        events.FirstOrDefault(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted)?.ExecutionStarted;

    /// <summary>The runtime status a history implies (null when it has not started).</summary>
    public static RuntimeStatus? StatusOf(IEnumerable<HistoryEvent> events)
    {
        RuntimeStatus? status = null;
        foreach (var e in events)
        {
            switch (e.EventTypeCase)
            {
                case HistoryEvent.EventTypeOneofCase.ExecutionStarted:
                    status = RuntimeStatus.Running;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionSuspended when status == RuntimeStatus.Running:
                    status = RuntimeStatus.Suspended;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionResumed when status == RuntimeStatus.Suspended:
                    status = RuntimeStatus.Running;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionCompleted:
                    status = FromProto(e.ExecutionCompleted.OrchestrationStatus);
                    break;
                case HistoryEvent.EventTypeOneofCase.ContinueAsNew:
                    status = RuntimeStatus.ContinuedAsNew;
                    break;
            }
        }

        return status;
    }

    public static RuntimeStatus FromProto(OrchestrationStatus s) => s switch
    {
        OrchestrationStatus.Running => RuntimeStatus.Running,
        OrchestrationStatus.Completed => RuntimeStatus.Completed,
        OrchestrationStatus.ContinuedAsNew => RuntimeStatus.ContinuedAsNew,
        OrchestrationStatus.Failed => RuntimeStatus.Failed,
        OrchestrationStatus.Canceled => RuntimeStatus.Canceled,
        OrchestrationStatus.Terminated => RuntimeStatus.Terminated,
        OrchestrationStatus.Pending => RuntimeStatus.Pending,
        OrchestrationStatus.Suspended => RuntimeStatus.Suspended,
        _ => RuntimeStatus.Unknown,
    };

    /// <summary>The Instances-table output of a finished execution (spec §6.2: Failed stores "type: message", Terminated the reason).</summary>
    public static string? OutputOf(ExecutionCompletedEvent completed) =>
        completed.OrchestrationStatus == OrchestrationStatus.Failed && completed.FailureDetails is { } fd
            ? $"{fd.ErrorType}: {fd.ErrorMessage}"
            : completed.Result;
}
