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
            p.FailureDetails = HistoryEventConverter.ToProto(state.FailureDetails);
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
}
