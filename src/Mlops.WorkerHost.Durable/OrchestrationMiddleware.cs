using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.Middleware;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using P = Microsoft.DurableTask.Protobuf;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// DTFx orchestration dispatcher middleware: hands each episode to the worker as a base64 <c>OrchestratorRequest</c>
/// and gives DTFx the actions of its <c>OrchestratorResponse</c>, instead of running an in-process orchestration.
/// </summary>
internal sealed partial class OrchestrationMiddleware(IDurableFunctionInvoker invoker, ILogger logger, CancellationToken stopping)
{
    public async Task InvokeAsync(DispatchMiddlewareContext context, Func<Task> next)
    {
        var state = context.GetProperty<OrchestrationRuntimeState>();
        var instance = context.GetProperty<OrchestrationInstance>() ?? state.OrchestrationInstance
            ?? throw new InvalidOperationException("DTFx dispatched an orchestration work item without an instance.");
        var name = state.Name;
        if (!invoker.IsOrchestrator(name))
        {
            LogUnknown(logger, name, instance.InstanceId);
            context.SetProperty(OrchestratorExecutionResult.ForFailure(
                $"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: no orchestrator function named '{name}' is loaded in the worker.",
                (string?)null));
            return;
        }

        var request = new P.OrchestratorRequest { InstanceId = instance.InstanceId, ExecutionId = instance.ExecutionId };
        foreach (var e in state.PastEvents)
        {
            request.PastEvents.Add(HistoryEventConverter.ToProto(e));
        }

        foreach (var e in state.NewEvents)
        {
            request.NewEvents.Add(HistoryEventConverter.ToProto(e));
        }

        string encodedResponse;
        try
        {
            encodedResponse = await invoker.InvokeOrchestratorAsync(name, instance.InstanceId, Convert.ToBase64String(request.ToByteArray()), stopping).ConfigureAwait(false);
        }
        catch (DurableFunctionException ex)
        {
            // The worker ran the function and it threw outside the SDK's own handling: the orchestration fails,
            // as with the real extension.
            context.SetProperty(OrchestratorExecutionResult.ForFailure($"Function '{name}' failed with an unhandled exception.", ex));
            return;
        }
        catch (Exception ex) when (ex is not SessionAbortedException)
        {
            // The worker died or the host is stopping: DTFx abandons the work item and runs the episode again later.
            LogAborted(logger, ex, name, instance.InstanceId);
            throw new SessionAbortedException($"Orchestrator '{name}' ({instance.InstanceId}) was not run to completion: {ex.Message}", ex);
        }

        var response = Decode(name, instance.InstanceId, encodedResponse);
        var actions = new List<DurableTask.Core.Command.OrchestratorAction>(response.Actions.Count);
        foreach (var action in response.Actions)
        {
            actions.Add(OrchestratorActionConverter.FromProto(action));
        }

        context.SetProperty(new OrchestratorExecutionResult { Actions = actions, CustomStatus = response.CustomStatus });
    }

    private static P.OrchestratorResponse Decode(string name, string instanceId, string encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            throw new SessionAbortedException($"Orchestrator '{name}' ({instanceId}) returned no OrchestratorResponse.");
        }

        try
        {
            return P.OrchestratorResponse.Parser.ParseFrom(Convert.FromBase64String(encoded));
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            throw new SessionAbortedException($"Orchestrator '{name}' ({instanceId}) returned a value that is not a base64 OrchestratorResponse.", ex);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Orchestration {InstanceId} names orchestrator '{Name}', which the worker does not have: failing it")]
    private static partial void LogUnknown(ILogger logger, string name, string instanceId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Orchestrator '{Name}' ({InstanceId}) could not be run; the episode will be retried")]
    private static partial void LogAborted(ILogger logger, Exception exception, string name, string instanceId);
}
