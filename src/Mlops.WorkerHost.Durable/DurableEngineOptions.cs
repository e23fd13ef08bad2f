using System.Globalization;
using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// Settings of the local Durable engine: the task hub and the Azure Storage provider's knobs, read from host.json's
/// <c>extensions.durableTask</c> section the way the Durable extension reads them, with local defaults chosen for
/// quick tests and quick recovery after a crash.
/// </summary>
public sealed class DurableEngineOptions
{
    /// <summary>The hub name the Durable extension uses when host.json names none and no site name is set.</summary>
    public const string DefaultHubName = "TestHubName";

    /// <summary>Creates options on a storage connection string with the local defaults.</summary>
    public DurableEngineOptions(string storageConnectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(storageConnectionString);
        StorageConnectionString = storageConnectionString;
    }

    /// <summary>The app's storage connection string (<c>AzureWebJobsStorage</c>; Azurite locally).</summary>
    public string StorageConnectionString { get; }

    /// <summary>
    /// Task hub name (host.json <c>hubName</c>). Without one, the Durable extension uses the site name
    /// (<c>WEBSITE_SITE_NAME</c>, letters and digits only) and, locally, <see cref="DefaultHubName"/>.
    /// </summary>
    public string HubName { get; set; } = HubNameFromSiteName(Environment.GetEnvironmentVariable("WEBSITE_SITE_NAME")) ?? DefaultHubName;

    /// <summary>The storage connection setting name the worker's client sends back (<c>storageProvider.connectionName</c>).</summary>
    public string ConnectionName { get; set; } = "AzureWebJobsStorage";

    /// <summary>Control-queue partitions (1–16); fixed when the hub is created.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>Longest wait between queue polls when idle. DTFx's 30 s makes a local app look hung after a pause.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a dequeued control-queue message stays invisible. After a crash, the messages a dead process held
    /// come back only when this expires, so it bounds the recovery time of orchestrations in flight.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Like <see cref="ControlQueueVisibilityTimeout"/> for activity (work-item) messages.</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Partition lease length: a partition owned by a dead process is taken over after it lapses.</summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an owner renews its partition leases.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a worker looks for partitions to acquire.</summary>
    public TimeSpan LeaseAcquireInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Control-queue messages fetched per poll.</summary>
    public int ControlQueueBatchSize { get; set; } = 32;

    /// <summary>Activities run at once.</summary>
    public int MaxConcurrentActivityFunctions { get; set; } = 10;

    /// <summary>Orchestration episodes run at once.</summary>
    public int MaxConcurrentOrchestratorFunctions { get; set; } = 10;

    /// <summary>
    /// Identity of this engine in the partition table. A stable id lets a restarted process recognise the
    /// partitions it owned before it died.
    /// </summary>
    public string WorkerId { get; set; } = Environment.MachineName;

    /// <summary>Track partitions in a table (DTFx default) instead of blob leases.</summary>
    public bool UseTablePartitionManagement { get; set; } = true;

    /// <summary>
    /// Checks the settings DTFx would otherwise reject late or obscurely: the hub name must be valid as a queue,
    /// container and table name (the extension's rule: a letter, then 2–44 letters or digits).
    /// </summary>
    public void Validate()
    {
        if (HubName.Length is < 3 or > 45 || !char.IsAsciiLetter(HubName[0]) || !HubName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException(
                $"Task hub name '{HubName}' is invalid: it must start with a letter and hold 3 to 45 letters or digits.", nameof(HubName));
        }

        if (PartitionCount is < 1 or > 16)
        {
            throw new ArgumentException($"Partition count {PartitionCount} is invalid: it must be between 1 and 16.", nameof(PartitionCount));
        }
    }

    /// <summary>
    /// Reads the <c>extensions.durableTask</c> section of host.json (null = absent) over the local defaults.
    /// Time spans are <c>hh:mm:ss</c> strings as in host.json.
    /// </summary>
    public static DurableEngineOptions FromHostJson(JsonNode? durableTaskSection, string storageConnectionString)
    {
        var options = new DurableEngineOptions(storageConnectionString);
        if (durableTaskSection is not JsonObject section)
        {
            return options;
        }

        options.HubName = GetString(section, "hubName") ?? options.HubName;
        options.MaxConcurrentActivityFunctions = GetInt(section, "maxConcurrentActivityFunctions") ?? options.MaxConcurrentActivityFunctions;
        options.MaxConcurrentOrchestratorFunctions = GetInt(section, "maxConcurrentOrchestratorFunctions") ?? options.MaxConcurrentOrchestratorFunctions;
        if (GetNode(section, "storageProvider") is JsonObject provider)
        {
            options.ConnectionName = GetString(provider, "connectionName") ?? GetString(provider, "connectionStringName") ?? options.ConnectionName;
            options.PartitionCount = GetInt(provider, "partitionCount") ?? options.PartitionCount;
            options.ControlQueueBatchSize = GetInt(provider, "controlQueueBatchSize") ?? options.ControlQueueBatchSize;
            options.MaxQueuePollingInterval = GetTimeSpan(provider, "maxQueuePollingInterval") ?? options.MaxQueuePollingInterval;
            options.ControlQueueVisibilityTimeout = GetTimeSpan(provider, "controlQueueVisibilityTimeout") ?? options.ControlQueueVisibilityTimeout;
            options.WorkItemQueueVisibilityTimeout = GetTimeSpan(provider, "workItemQueueVisibilityTimeout") ?? options.WorkItemQueueVisibilityTimeout;
            options.UseTablePartitionManagement = GetBool(provider, "useTablePartitionManagement") ?? options.UseTablePartitionManagement;
        }

        return options;
    }

    private static string? HubNameFromSiteName(string? siteName)
    {
        var name = new string((siteName ?? "").Where(char.IsAsciiLetterOrDigit).ToArray());
        if (name.Length == 0)
        {
            return null;
        }

        if (!char.IsAsciiLetter(name[0]))
        {
            name = "t" + name;
        }

        return name.Length > 45 ? name[..45] : name;
    }

    // host.json keys are matched case-insensitively, as the Functions host's configuration binder does.
    private static JsonNode? GetNode(JsonObject obj, string key)
    {
        foreach (var (name, value) in obj)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static string? GetString(JsonObject obj, string key) =>
        GetNode(obj, key) is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static int? GetInt(JsonObject obj, string key) => GetNode(obj, key) switch
    {
        JsonValue v when v.TryGetValue(out int i) => i,
        JsonValue v when v.TryGetValue(out string? s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    private static bool? GetBool(JsonObject obj, string key) => GetNode(obj, key) switch
    {
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out string? s) && bool.TryParse(s, out var b) => b,
        _ => null,
    };

    private static TimeSpan? GetTimeSpan(JsonObject obj, string key) =>
        GetString(obj, key) is { } s && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var t) ? t : null;
}
