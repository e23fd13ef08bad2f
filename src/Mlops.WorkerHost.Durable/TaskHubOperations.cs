using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using DurableTask.Core.Tracing;

namespace Mlops.WorkerHost.Durable;

/// <summary>What an instance operation found: the instance, none, or one already finished.</summary>
internal enum InstanceOperationOutcome
{
    Accepted,
    NotFound,
    AlreadyCompleted,
}

/// <summary>
/// The client side of the task hub, shared by the gRPC sidecar and the HTTP management API: DTFx's own client
/// operations on the Azure Storage provider, with the Durable extension's rules for duplicates and finished instances.
/// </summary>
internal sealed class TaskHubOperations(AzureStorageOrchestrationService service)
{
    /// <summary>
    /// Statuses that make a new start with the same id fail, when the caller gives no reuse policy: the Durable
    /// extension's default (<c>overridableExistingInstanceStates: NonRunningStates</c>) replaces only finished instances.
    /// </summary>
    public static readonly OrchestrationStatus[] NonTerminalStatuses =
    [
        OrchestrationStatus.Running, OrchestrationStatus.Pending, OrchestrationStatus.ContinuedAsNew, OrchestrationStatus.Suspended,
    ];

    private static readonly OrchestrationStatus[] AllStatuses = Enum.GetValues<OrchestrationStatus>();

    public AzureStorageOrchestrationService Service => service;

    /// <summary>Turns a reuse policy's replaceable statuses into DTFx dedupe statuses (all others).</summary>
    public static OrchestrationStatus[] DedupeStatusesFromReplaceable(IEnumerable<OrchestrationStatus> replaceable)
    {
        var set = replaceable.ToHashSet();
        return AllStatuses.Where(s => !set.Contains(s)).ToArray();
    }

    /// <summary>Starts an instance; throws <see cref="OrchestrationAlreadyExistsException"/> for a duplicate.</summary>
    public async Task<string> StartAsync(
        string name,
        string? instanceId,
        string? input,
        string? version = null,
        DateTime? scheduledStartTime = null,
        IDictionary<string, string>? tags = null,
        DistributedTraceContext? parentTraceContext = null,
        OrchestrationStatus[]? dedupeStatuses = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var instance = new OrchestrationInstance
        {
            InstanceId = string.IsNullOrEmpty(instanceId) ? Guid.NewGuid().ToString("N") : instanceId,
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var started = new ExecutionStartedEvent(-1, input)
        {
            Name = name,
            Version = version ?? "",
            OrchestrationInstance = instance,
            ScheduledStartTime = scheduledStartTime,
            Tags = tags is null || tags.Count == 0 ? null : new Dictionary<string, string>(tags),
            ParentTraceContext = parentTraceContext,
        };
        await service.CreateTaskOrchestrationAsync(
            new TaskMessage { Event = started, OrchestrationInstance = instance },
            dedupeStatuses ?? NonTerminalStatuses).ConfigureAwait(false);
        return instance.InstanceId;
    }

    /// <summary>The latest execution's state, or null when there is no such instance.</summary>
    public async Task<OrchestrationState?> GetAsync(string instanceId, bool fetchInputsAndOutputs)
    {
        var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false, fetchInput: fetchInputsAndOutputs).ConfigureAwait(false);
        return states.FirstOrDefault(s => s is not null);
    }

    public Task<OrchestrationQueryResult> QueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        service.GetOrchestrationWithQueryAsync(query, cancellationToken);

    public Task<InstanceOperationOutcome> RaiseEventAsync(string instanceId, string eventName, string? data) =>
        SendIfActiveAsync(instanceId, new EventRaisedEvent(-1, data) { Name = eventName });

    public Task<InstanceOperationOutcome> SuspendAsync(string instanceId, string? reason) =>
        SendIfActiveAsync(instanceId, new ExecutionSuspendedEvent(-1, reason));

    public Task<InstanceOperationOutcome> ResumeAsync(string instanceId, string? reason) =>
        SendIfActiveAsync(instanceId, new ExecutionResumedEvent(-1, reason));

    public async Task<InstanceOperationOutcome> TerminateAsync(string instanceId, string? reason)
    {
        var state = await GetAsync(instanceId, fetchInputsAndOutputs: false).ConfigureAwait(false);
        if (state is null)
        {
            return InstanceOperationOutcome.NotFound;
        }

        if (IsTerminal(state.OrchestrationStatus))
        {
            return InstanceOperationOutcome.AlreadyCompleted;
        }

        await service.ForceTerminateTaskOrchestrationAsync(instanceId, reason).ConfigureAwait(false);
        return InstanceOperationOutcome.Accepted;
    }

    public async Task<int> PurgeAsync(string instanceId)
    {
        var result = await ((IOrchestrationServicePurgeClient)service).PurgeInstanceStateAsync(instanceId).ConfigureAwait(false);
        return result.DeletedInstanceCount;
    }

    public async Task<int> PurgeAsync(DateTime createdFrom, DateTime? createdTo, IEnumerable<OrchestrationStatus>? statuses)
    {
        var result = await ((IOrchestrationServicePurgeClient)service)
            .PurgeInstanceStateAsync(new PurgeInstanceFilter(createdFrom, createdTo, statuses)).ConfigureAwait(false);
        return result.DeletedInstanceCount;
    }

    /// <summary>Runs a finished instance again with its original input; null when there is no such instance.</summary>
    public async Task<string?> RestartAsync(string instanceId, bool newInstanceId)
    {
        var state = await GetAsync(instanceId, fetchInputsAndOutputs: true).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }

        return await StartAsync(state.Name, newInstanceId ? null : instanceId, state.Input, state.Version, tags: state.Tags).ConfigureAwait(false);
    }

    /// <summary>The history of the latest execution as DTFx stores it (JSON array text), or null.</summary>
    public async Task<string?> GetHistoryJsonAsync(string instanceId)
    {
        var state = await GetAsync(instanceId, fetchInputsAndOutputs: false).ConfigureAwait(false);
        return state is null ? null : await service.GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId).ConfigureAwait(false);
    }

    public static bool IsTerminal(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    private async Task<InstanceOperationOutcome> SendIfActiveAsync(string instanceId, HistoryEvent e)
    {
        var state = await GetAsync(instanceId, fetchInputsAndOutputs: false).ConfigureAwait(false);
        if (state is null)
        {
            return InstanceOperationOutcome.NotFound;
        }

        if (IsTerminal(state.OrchestrationStatus))
        {
            return InstanceOperationOutcome.AlreadyCompleted;
        }

        await service.SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            Event = e,
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId },
        }).ConfigureAwait(false);
        return InstanceOperationOutcome.Accepted;
    }
}
