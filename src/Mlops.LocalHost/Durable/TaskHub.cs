using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Durable;

/// <summary>
/// The Azure Storage layout of one task hub (spec §7): <c>{Hub}Instances</c> and <c>{Hub}History</c> tables,
/// <c>{hub}-control-NN</c> queues chosen by an FNV-1a hash of the instance id, the <c>{hub}-workitems</c> queue,
/// and the <c>{hub}-leases</c> / <c>{hub}-largemessages</c> containers.
/// </summary>
internal sealed partial class TaskHub
{
    public TaskHub(StorageAccount account, string name, int partitionCount)
    {
        if (!HubName().IsMatch(name))
        {
            throw new InvalidOperationException(
                $"host.json extensions.durableTask.hubName '{name}': must be 3-45 alphanumeric characters starting with a letter (Azure Storage task hub rule).");
        }

        if (partitionCount is < 1 or > 16)
        {
            throw new InvalidOperationException($"host.json extensions.durableTask.storageProvider.partitionCount {partitionCount}: must be 1-16.");
        }

        Account = account;
        Name = name;
        PartitionCount = partitionCount;
        Instances = account.Tables.GetTableClient(name + "Instances");
        History = account.Tables.GetTableClient(name + "History");
        var lower = name.ToLowerInvariant();
        ControlQueues = Enumerable.Range(0, partitionCount)
            .Select(i => account.Queue($"{lower}-control-{i:00}")).ToArray();
        WorkItems = account.Queue(lower + "-workitems");
        Leases = account.Blobs.GetBlobContainerClient(lower + "-leases");
        LargeMessages = account.Blobs.GetBlobContainerClient(lower + "-largemessages");
    }

    public StorageAccount Account { get; }

    public string Name { get; }

    public int PartitionCount { get; }

    public TableClient Instances { get; }

    public TableClient History { get; }

    public IReadOnlyList<QueueClient> ControlQueues { get; }

    public QueueClient WorkItems { get; }

    public BlobContainerClient Leases { get; }

    public BlobContainerClient LargeMessages { get; }

    /// <summary>Reads hub name and partition count from host.json (defaults: <c>TestHubName</c> locally, 4 partitions).</summary>
    public static (string Hub, int Partitions) Configure(ScriptRoot root, AppSettings settings)
    {
        var durable = root.DurableTask;
        var hub = ScriptRoot.Value(durable, "hubName")?.GetValue<string>() is { Length: > 0 } h ? settings.Expand(h) : "TestHubName";
        var partitions = 4;
        if (ScriptRoot.Section(durable, "storageProvider") is { } sp && ScriptRoot.Value(sp, "partitionCount") is JsonValue pc)
        {
            partitions = pc.TryGetValue(out int n) ? n : int.Parse(pc.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        }

        return (hub, partitions);
    }

    public QueueClient ControlQueueFor(string instanceId) => ControlQueues[(int)(Fnv1a(instanceId) % (uint)PartitionCount)];

    /// <summary>32-bit FNV-1a over the UTF-8 bytes, as DurableTask.AzureStorage partitions instances.</summary>
    public static uint Fnv1a(string value)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<Task>
        {
            Instances.CreateIfNotExistsAsync(cancellationToken),
            History.CreateIfNotExistsAsync(cancellationToken),
            WorkItems.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            Leases.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            LargeMessages.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
        };
        tasks.AddRange(ControlQueues.Select(q => (Task)q.CreateIfNotExistsAsync(cancellationToken: cancellationToken)));
        await Task.WhenAll(tasks).ConfigureAwait(false);

        var info = Leases.GetBlobClient("taskhub.json");
        var body = new JsonObject
        {
            ["TaskHubName"] = Name,
            ["CreatedAt"] = DateTime.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture),
            ["PartitionCount"] = PartitionCount,
        };
        try
        {
            await info.UploadAsync(BinaryData.FromString(body.ToJsonString()), overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already there: the hub exists.
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex HubName();
}
