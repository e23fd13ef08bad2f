using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.History;
using P = Microsoft.DurableTask.Protobuf;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// The worker's <c>OrchestratorAction</c>s to DTFx actions (spec §6.1, as the Durable extension maps them).
/// </summary>
internal static class OrchestratorActionConverter
{
    public static OrchestratorAction FromProto(P.OrchestratorAction a)
    {
        switch (a.OrchestratorActionTypeCase)
        {
            case P.OrchestratorAction.OrchestratorActionTypeOneofCase.ScheduleTask:
                return new ScheduleTaskOrchestratorAction
                {
                    Id = a.Id,
                    Name = a.ScheduleTask.Name,
                    Version = a.ScheduleTask.Version,
                    Input = a.ScheduleTask.Input, // already DTFx's one-element array
                };
            case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateSubOrchestration:
                return new CreateSubOrchestrationAction
                {
                    Id = a.Id,
                    InstanceId = a.CreateSubOrchestration.InstanceId,
                    Name = a.CreateSubOrchestration.Name,
                    Version = a.CreateSubOrchestration.Version,
                    Input = a.CreateSubOrchestration.Input,
                };
            case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CreateTimer:
                return new CreateTimerOrchestratorAction { Id = a.Id, FireAt = a.CreateTimer.FireAt.ToDateTime() };
            case P.OrchestratorAction.OrchestratorActionTypeOneofCase.SendEvent:
                return new SendEventOrchestratorAction
                {
                    Id = a.Id,
                    Instance = new OrchestrationInstance { InstanceId = a.SendEvent.Instance?.InstanceId, ExecutionId = a.SendEvent.Instance?.ExecutionId },
                    EventName = a.SendEvent.Name,
                    EventData = a.SendEvent.Data,
                };
            case P.OrchestratorAction.OrchestratorActionTypeOneofCase.CompleteOrchestration:
                return Complete(a.Id, a.CompleteOrchestration);
            default:
                throw new NotSupportedException(
                    $"The worker returned an orchestrator action of type '{a.OrchestratorActionTypeCase}', which this host does not support.");
        }
    }

    private static OrchestrationCompleteOrchestratorAction Complete(int id, P.CompleteOrchestrationAction c)
    {
        var action = new OrchestrationCompleteOrchestratorAction
        {
            Id = id,
            OrchestrationStatus = (OrchestrationStatus)c.OrchestrationStatus,
            Result = c.Result,
            Details = c.Details,
            FailureDetails = HistoryEventConverter.FromProto(c.FailureDetails),
            NewVersion = c.NewVersion,
        };

        // ContinueAsNew carries unprocessed external events into the next generation; only raised events can be.
        foreach (var e in c.CarryoverEvents)
        {
            if (e.EventRaised is { } raised)
            {
                action.CarryoverEvents.Add(new EventRaisedEvent(e.EventId, raised.Input) { Name = raised.Name });
            }
        }

        foreach (var (key, value) in c.Tags)
        {
            action.Tags[key] = value;
        }

        return action;
    }
}
