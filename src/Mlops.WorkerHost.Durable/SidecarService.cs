using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.Query;
using DurableTask.Core.Tracing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using P = Microsoft.DurableTask.Protobuf;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// The <c>TaskHubSidecarService</c> the worker's <c>DurableTaskClient</c> calls (spec §6.3), over DTFx's client
/// operations. Only the client RPCs: work items reach the worker through the dispatcher middleware instead.
/// </summary>
internal sealed class SidecarService(TaskHubOperations hub) : P.TaskHubSidecarService.TaskHubSidecarServiceBase
{
    // Each poll is one table read; a quarter second keeps completion latency low without loading the store.
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(250);

    public override Task<Empty> Hello(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public override async Task<P.CreateInstanceResponse> StartInstance(P.CreateInstanceRequest request, ServerCallContext context)
    {
        var dedupe = request.OrchestrationIdReusePolicy is { } policy
            ? TaskHubOperations.DedupeStatusesFromReplaceable(policy.ReplaceableStatus.Select(s => (OrchestrationStatus)s))
            : null;
        try
        {
            var id = await hub.StartAsync(
                request.Name,
                request.InstanceId,
                request.Input,
                request.Version,
                request.ScheduledStartTimestamp?.ToDateTime(),
                request.Tags,
                request.ParentTraceContext is { } t ? new DistributedTraceContext(t.TraceParent, t.TraceState) : null,
                dedupe).ConfigureAwait(false);
            return new P.CreateInstanceResponse { InstanceId = id };
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override async Task<P.GetInstanceResponse> GetInstance(P.GetInstanceRequest request, ServerCallContext context)
    {
        var state = await hub.GetAsync(request.InstanceId, request.GetInputsAndOutputs).ConfigureAwait(false);
        return ToResponse(state, request.GetInputsAndOutputs);
    }

    public override Task<P.GetInstanceResponse> WaitForInstanceStart(P.GetInstanceRequest request, ServerCallContext context) =>
        PollAsync(request, s => s.OrchestrationStatus != OrchestrationStatus.Pending, context.CancellationToken);

    public override Task<P.GetInstanceResponse> WaitForInstanceCompletion(P.GetInstanceRequest request, ServerCallContext context) =>
        PollAsync(request, s => TaskHubOperations.IsTerminal(s.OrchestrationStatus), context.CancellationToken);

    public override async Task<P.RaiseEventResponse> RaiseEvent(P.RaiseEventRequest request, ServerCallContext context)
    {
        Check(await hub.RaiseEventAsync(request.InstanceId, request.Name, request.Input).ConfigureAwait(false), request.InstanceId);
        return new P.RaiseEventResponse();
    }

    public override async Task<P.TerminateResponse> TerminateInstance(P.TerminateRequest request, ServerCallContext context)
    {
        // Terminating a finished instance is a no-op for the client, as with DTFx's own client.
        var outcome = await hub.TerminateAsync(request.InstanceId, request.Output).ConfigureAwait(false);
        if (outcome == InstanceOperationOutcome.NotFound)
        {
            throw NotFound(request.InstanceId);
        }

        return new P.TerminateResponse();
    }

    public override async Task<P.SuspendResponse> SuspendInstance(P.SuspendRequest request, ServerCallContext context)
    {
        Check(await hub.SuspendAsync(request.InstanceId, request.Reason).ConfigureAwait(false), request.InstanceId);
        return new P.SuspendResponse();
    }

    public override async Task<P.ResumeResponse> ResumeInstance(P.ResumeRequest request, ServerCallContext context)
    {
        Check(await hub.ResumeAsync(request.InstanceId, request.Reason).ConfigureAwait(false), request.InstanceId);
        return new P.ResumeResponse();
    }

    public override async Task<P.QueryInstancesResponse> QueryInstances(P.QueryInstancesRequest request, ServerCallContext context)
    {
        var q = request.Query ?? new P.InstanceQuery();
        var query = new OrchestrationQuery
        {
            RuntimeStatus = q.RuntimeStatus.Select(s => (OrchestrationStatus)s).ToList(),
            CreatedTimeFrom = q.CreatedTimeFrom?.ToDateTime(),
            CreatedTimeTo = q.CreatedTimeTo?.ToDateTime(),
            TaskHubNames = q.TaskHubNames.Select(n => n.ToString()).ToList(),
            PageSize = q.MaxInstanceCount > 0 ? q.MaxInstanceCount : 100,
            ContinuationToken = q.ContinuationToken,
            InstanceIdPrefix = q.InstanceIdPrefix,
            FetchInputsAndOutputs = q.FetchInputsAndOutputs,
        };
        var result = await hub.QueryAsync(query, context.CancellationToken).ConfigureAwait(false);
        var response = new P.QueryInstancesResponse { ContinuationToken = result.ContinuationToken };
        foreach (var state in result.OrchestrationState)
        {
            response.OrchestrationState.Add(ProtoState.From(state, q.FetchInputsAndOutputs));
        }

        return response;
    }

    public override async Task<P.PurgeInstancesResponse> PurgeInstances(P.PurgeInstancesRequest request, ServerCallContext context)
    {
        int deleted;
        switch (request.RequestCase)
        {
            case P.PurgeInstancesRequest.RequestOneofCase.InstanceId:
                deleted = await hub.PurgeAsync(request.InstanceId).ConfigureAwait(false);
                break;
            case P.PurgeInstancesRequest.RequestOneofCase.PurgeInstanceFilter:
                var f = request.PurgeInstanceFilter;
                deleted = await hub.PurgeAsync(
                    f.CreatedTimeFrom?.ToDateTime() ?? DateTime.MinValue,
                    f.CreatedTimeTo?.ToDateTime(),
                    f.RuntimeStatus.Count == 0 ? null : f.RuntimeStatus.Select(s => (OrchestrationStatus)s).ToList()).ConfigureAwait(false);
                break;
            default:
                throw new RpcException(new Status(StatusCode.Unimplemented, $"Purge by {request.RequestCase} is not supported."));
        }

        return new P.PurgeInstancesResponse { DeletedInstanceCount = deleted, IsComplete = true };
    }

    public override async Task<P.RestartInstanceResponse> RestartInstance(P.RestartInstanceRequest request, ServerCallContext context)
    {
        try
        {
            var id = await hub.RestartAsync(request.InstanceId, request.RestartWithNewInstanceId).ConfigureAwait(false)
                ?? throw NotFound(request.InstanceId);
            return new P.RestartInstanceResponse { InstanceId = id };
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message));
        }
    }

    private async Task<P.GetInstanceResponse> PollAsync(P.GetInstanceRequest request, Func<OrchestrationState, bool> done, CancellationToken cancellationToken)
    {
        // DTFx's provider has no change notification: poll, quickly at first, then every quarter second.
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var state = await hub.GetAsync(request.InstanceId, request.GetInputsAndOutputs).ConfigureAwait(false);
            if (state is null || done(state))
            {
                return ToResponse(state, request.GetInputsAndOutputs);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollInterval.Ticks));
        }
    }

    private static P.GetInstanceResponse ToResponse(OrchestrationState? state, bool withPayloads) =>
        state is null
            ? new P.GetInstanceResponse { Exists = false }
            : new P.GetInstanceResponse { Exists = true, OrchestrationState = ProtoState.From(state, withPayloads) };

    private static void Check(InstanceOperationOutcome outcome, string instanceId)
    {
        switch (outcome)
        {
            case InstanceOperationOutcome.NotFound:
                throw NotFound(instanceId);
            case InstanceOperationOutcome.AlreadyCompleted:
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"The orchestration instance '{instanceId}' has already completed."));
        }
    }

    private static RpcException NotFound(string instanceId) =>
        new(new Status(StatusCode.NotFound, $"No orchestration instance with ID '{instanceId}' was found."));
}
