using System.Text.Json.Nodes;
using Mlops.Durable.Protocol;

namespace Mlops.LocalHost.Durable;

/// <summary>Starting an id that is still running (spec §9a, extension 2.x: HTTP 500 with this exception type).</summary>
internal sealed class OrchestrationAlreadyExistsException(RuntimeStatus status)
    : Exception($"An Orchestration instance with the status {status} already exists.");

/// <summary>Outcome of an operation on an existing instance.</summary>
internal enum InstanceOperationResult
{
    Accepted,
    NotFound,
    Gone,
}

/// <summary>The client side of the backend: what the management API and the <c>durableClient</c> output binding do.</summary>
internal sealed class DurableClient(DurableContext ctx)
{
    public DurableContext Context => ctx;

    /// <summary>Creates the instance (Pending) and sends its <c>executionStarted</c>. Throws <see cref="ArgumentException"/> for bad names or ids.</summary>
    public async Task<string> StartNewAsync(string orchestratorName, string? instanceId, string? input, CancellationToken cancellationToken)
    {
        var function = ctx.Orchestrator(orchestratorName)
            ?? throw new ArgumentException($"The function '{orchestratorName}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: No orchestrator functions are currently registered!", nameof(orchestratorName));
        var name = function.DurableName("orchestration");
        instanceId = string.IsNullOrEmpty(instanceId) ? Guid.NewGuid().ToString("N") : instanceId;
        ValidateInstanceId(instanceId);

        var existing = await ctx.Instances.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && InstanceRecord.IsActive(existing.RuntimeStatus))
        {
            throw new OrchestrationAlreadyExistsException(existing.RuntimeStatus);
        }

        var executionId = Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        var record = new InstanceRecord
        {
            InstanceId = instanceId,
            Name = name,
            Input = input,
            CreatedTime = now,
            LastUpdatedTime = now,
            RuntimeStatus = RuntimeStatus.Pending,
            ExecutionId = executionId,
            HistorySequence = existing?.HistorySequence ?? -1,
            ETag = existing?.ETag ?? default,
        };
        if (!await ctx.Instances.TryWriteAsync(record, insert: existing is null, cancellationToken).ConfigureAwait(false))
        {
            var now2 = await ctx.Instances.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
            throw new OrchestrationAlreadyExistsException(now2?.RuntimeStatus ?? RuntimeStatus.Pending);
        }

        var start = DurableEvents.ExecutionStarted(name, null, input, instanceId, executionId, null);
        await ctx.SendAsync(ctx.Hub.ControlQueueFor(instanceId), new TaskMessage { Event = start, InstanceId = instanceId }, null, cancellationToken).ConfigureAwait(false);
        return instanceId;
    }

    public static void ValidateInstanceId(string instanceId)
    {
        if (instanceId.Length > 256 || instanceId.StartsWith('@') || instanceId.IndexOfAny(['/', '\\', '#', '?']) >= 0 || instanceId.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"Instance ID '{instanceId}' is invalid: it must be at most 256 characters, must not start with '@', and must not contain '/', '\\', '#', '?' or control characters.",
                nameof(instanceId));
        }
    }

    public Task<InstanceRecord?> GetAsync(string instanceId, CancellationToken cancellationToken) => ctx.Instances.GetAsync(instanceId, cancellationToken);

    public Task<InstanceOperationResult> RaiseEventAsync(string instanceId, string eventName, string? data, CancellationToken cancellationToken) =>
        SendToActiveAsync(instanceId, DurableEvents.EventRaised(eventName, data), cancellationToken);

    public Task<InstanceOperationResult> TerminateAsync(string instanceId, string? reason, CancellationToken cancellationToken) =>
        SendToActiveAsync(instanceId, DurableEvents.Terminated(reason), cancellationToken);

    public Task<InstanceOperationResult> SuspendAsync(string instanceId, string? reason, CancellationToken cancellationToken) =>
        SendToActiveAsync(instanceId, DurableEvents.Suspended(reason), cancellationToken);

    public Task<InstanceOperationResult> ResumeAsync(string instanceId, string? reason, CancellationToken cancellationToken) =>
        SendToActiveAsync(instanceId, DurableEvents.Resumed(reason), cancellationToken);

    private async Task<InstanceOperationResult> SendToActiveAsync(string instanceId, HistoryEvent e, CancellationToken cancellationToken)
    {
        var record = await ctx.Instances.GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return InstanceOperationResult.NotFound;
        }

        if (InstanceRecord.IsTerminal(record.RuntimeStatus))
        {
            return InstanceOperationResult.Gone;
        }

        await ctx.SendAsync(ctx.Hub.ControlQueueFor(instanceId), new TaskMessage { Event = e, InstanceId = instanceId }, null, cancellationToken).ConfigureAwait(false);
        return InstanceOperationResult.Accepted;
    }

    /// <summary>Deletes the instance row and all its history. False when the instance is unknown.</summary>
    public async Task<bool> PurgeAsync(string instanceId, CancellationToken cancellationToken)
    {
        var hadRow = await ctx.Instances.DeleteAsync(instanceId, cancellationToken).ConfigureAwait(false);
        var hadHistory = await ctx.History.PurgeAsync(instanceId, cancellationToken).ConfigureAwait(false);
        return hadRow || hadHistory;
    }

    public async Task<List<HistoryEvent>> GetHistoryAsync(string instanceId, CancellationToken cancellationToken) =>
        (await ctx.History.LoadAsync(instanceId, cancellationToken).ConfigureAwait(false)).Events;

    /// <summary>The <c>durableClient</c> input value (spec §6.1), serialised like Newtonsoft would, null members included.</summary>
    public JsonObject ClientPayload(Uri hostBaseUri, string? taskHub, string? connectionName, string requiredQuery) => new()
    {
        ["taskHubName"] = string.IsNullOrEmpty(taskHub) ? ctx.Hub.Name : taskHub,
        ["creationUrls"] = null,
        ["managementUrls"] = null,
        ["baseUrl"] = null,
        ["requiredQueryStringParameters"] = requiredQuery,
        ["rpcBaseUrl"] = null,
        ["httpBaseUrl"] = new Uri(hostBaseUri, "runtime/webhooks/durabletask").ToString(),
        ["maxGrpcMessageSizeInBytes"] = 4194304,
        ["grpcHttpClientTimeout"] = "00:01:40",
        ["connectionName"] = connectionName,
    };
}
