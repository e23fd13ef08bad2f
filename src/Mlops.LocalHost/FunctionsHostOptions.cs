namespace Mlops.LocalHost;

/// <summary>How to run a custom-handler app folder (a "script root"), like <c>func start</c> would.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>The app folder: host.json, one folder per function with function.json, local.settings.json, the handler.</summary>
    public required string ScriptRoot { get; init; }

    /// <summary>Port of the host's HTTP endpoint; 0 picks a free port (read <see cref="RunningFunctionsHost.BaseUri"/>). <c>func start</c> uses 7071.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Settings that win over both local.settings.json and the process environment (e.g. <c>AzureWebJobsStorage</c>).
    /// They are also given to the handler process as environment variables.
    /// </summary>
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Enforce function and admin keys exactly as Azure does (<c>func start --enableAuth</c>). Off by default, like <c>func start</c>.</summary>
    public bool EnforceKeys { get; init; }

    /// <summary>Print every handler output line and host detail, not only the invocation lines.</summary>
    public bool Verbose { get; init; }

    /// <summary>Where the func-style console lines go; standard output when null.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>How often blob-triggered containers are scanned for new or changed blobs.</summary>
    public TimeSpan BlobScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two polls of an idle queue (trigger queues and Durable queues); polling backs off up to it.</summary>
    public TimeSpan MaxQueuePollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a received queue message stays invisible before another host may take it; renewed while work goes on.</summary>
    public TimeSpan MessageLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the handler has to answer its first <c>GET /</c> (the host's <c>InitializationTimeout</c>).</summary>
    public TimeSpan HandlerStartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one invocation may take before it is abandoned (host.json <c>functionTimeout</c> wins when set).</summary>
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The host id that names receipts, locks and secrets in storage; derived from the machine name when null, like the real host locally.</summary>
    public string? HostId { get; init; }

    /// <summary>Most activity invocations run at once by this host.</summary>
    public int MaxConcurrentActivities { get; init; } = 32;

    /// <summary>Most orchestration episodes run at once by this host.</summary>
    public int MaxConcurrentOrchestrations { get; init; } = 16;

    /// <summary>Lease duration of the timer listener lock (15-60 s; the holder renews it).</summary>
    public TimeSpan TimerLockLease { get; init; } = TimeSpan.FromSeconds(15);
}
