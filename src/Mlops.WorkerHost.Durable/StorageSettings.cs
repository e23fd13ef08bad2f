using DurableTask.AzureStorage;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.Durable;

/// <summary>The Azure Storage provider's settings from <see cref="DurableEngineOptions"/>.</summary>
internal static class StorageSettings
{
    public static AzureStorageOrchestrationServiceSettings Create(DurableEngineOptions options, ILoggerFactory loggerFactory) => new()
    {
        TaskHubName = options.HubName,
        StorageAccountClientProvider = new StorageAccountClientProvider(options.StorageConnectionString),
        PartitionCount = options.PartitionCount,
        MaxQueuePollingInterval = options.MaxQueuePollingInterval,
        ControlQueueVisibilityTimeout = options.ControlQueueVisibilityTimeout,
        WorkItemQueueVisibilityTimeout = options.WorkItemQueueVisibilityTimeout,
        ControlQueueBatchSize = options.ControlQueueBatchSize,
        LeaseInterval = options.LeaseInterval,
        LeaseRenewInterval = options.LeaseRenewInterval,
        LeaseAcquireInterval = options.LeaseAcquireInterval,
        WorkerId = options.WorkerId,
        UseTablePartitionManagement = options.UseTablePartitionManagement,
        MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivityFunctions,
        MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestratorFunctions,

        // The app lease makes one app own the hub; a host restarted after kill -9 would wait for the dead one's
        // lease to lapse before it dispatches anything. A local host is the only app on its hub.
        UseAppLease = false,

        // Extended sessions would call the middleware again without history (spec §6.2); the worker replays fully.
        ExtendedSessionsEnabled = false,
        // Without this a duplicate start is dropped silently; the client must see AlreadyExists (spec §8.13).
        ThrowExceptionOnInvalidDedupeStatus = true,
        LoggerFactory = loggerFactory,
    };
}
