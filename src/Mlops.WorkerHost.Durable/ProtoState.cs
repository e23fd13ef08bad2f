using DurableTask.Core;
using P = Microsoft.DurableTask.Protobuf;

namespace Mlops.WorkerHost.Durable;

/// <summary>DTFx <see cref="OrchestrationState"/> to the protobuf <c>OrchestrationState</c> of the client RPCs.</summary>
internal static class ProtoState
{
    public static P.OrchestrationState From(OrchestrationState state, bool withPayloads)
    {
        var p = new P.OrchestrationState
        {
            InstanceId = state.OrchestrationInstance?.InstanceId ?? "",
            Name = state.Name ?? "",
            Version = state.Version,
            OrchestrationStatus = (P.OrchestrationStatus)state.OrchestrationStatus,
            CreatedTimestamp = HistoryEventConverter.ToTimestamp(state.CreatedTime),
            LastUpdatedTimestamp = HistoryEventConverter.ToTimestamp(state.LastUpdatedTime),
            ExecutionId = state.OrchestrationInstance?.ExecutionId,
            ParentInstanceId = state.ParentInstance?.OrchestrationInstance?.InstanceId,
        };
        if (state.ScheduledStartTime is { } scheduled)
        {
            p.ScheduledStartTimestamp = HistoryEventConverter.ToTimestamp(scheduled);
        }

        if (TaskHubOperations.IsTerminal(state.OrchestrationStatus) && state.CompletedTime > DateTime.MinValue)
        {
            p.CompletedTimestamp = HistoryEventConverter.ToTimestamp(state.CompletedTime);
        }

        if (withPayloads)
        {
            p.Input = state.Input;
            p.Output = state.Output;
            p.CustomStatus = state.Status;
            p.FailureDetails = HistoryEventConverter.ToProto(state.FailureDetails) ?? FailureFromOutput(state);
        }

        if (state.Tags is { } tags)
        {
            foreach (var (key, value) in tags)
            {
                p.Tags[key] = value;
            }
        }

        return p;
    }

    /// <summary>
    /// The Azure Storage provider keeps no failure details in the instance table, only the output, which DTFx writes
    /// as <c>ErrorType: ErrorMessage</c> for a failed orchestration. The client builds its exception from the details.
    /// </summary>
    private static P.TaskFailureDetails? FailureFromOutput(OrchestrationState state)
    {
        if (state.OrchestrationStatus != OrchestrationStatus.Failed || string.IsNullOrEmpty(state.Output))
        {
            return null;
        }

        var output = state.Output;
        var colon = output.IndexOf(": ", StringComparison.Ordinal);
        var type = colon > 0 ? output[..colon] : "";
        return colon > 0 && !type.Contains(' ', StringComparison.Ordinal)
            ? new P.TaskFailureDetails { ErrorType = type, ErrorMessage = output[(colon + 2)..] }
            : new P.TaskFailureDetails { ErrorType = "(unknown)", ErrorMessage = output };
    }
}
