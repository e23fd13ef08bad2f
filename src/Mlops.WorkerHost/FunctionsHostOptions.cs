namespace Mlops.WorkerHost;

/// <summary>How to run an isolated-worker app's build output (a "script root"), like <c>func start</c> would.</summary>
public sealed class FunctionsHostOptions
{
    /// <summary>The app's build output: worker.config.json, functions.metadata, host.json, local.settings.json, the worker.</summary>
    public required string ScriptRoot { get; init; }

    /// <summary>Port of the host's HTTP endpoint; 0 picks a free port (read <see cref="RunningFunctionsHost.BaseUri"/>). Null = local.settings.json <c>Host.LocalHttpPort</c>, else 7071.</summary>
    public int? Port { get; init; }

    /// <summary>Settings that win over local.settings.json and the process environment (e.g. <c>AzureWebJobsStorage</c>); also given to the worker.</summary>
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Check function and admin keys as Azure does (<c>func start --enable-auth</c>). Off by default, like <c>func start</c>.</summary>
    public bool EnforceKeys { get; init; }

    /// <summary>Show the worker's own output and debug logs, not only invocation lines and user logs.</summary>
    public bool Verbose { get; init; }

    /// <summary>Where the func-style console lines go; standard output when null.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>The host id naming receipts, timer status and keys in storage; derived from the machine name when null.</summary>
    public string? HostId { get; init; }

    /// <summary>How often blob-triggered containers are scanned for new or changed blobs.</summary>
    public TimeSpan BlobScanInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two polls of an idle trigger queue; polling backs off up to it.</summary>
    public TimeSpan MaxQueuePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a received queue message stays invisible while its function runs.</summary>
    public TimeSpan MessageVisibility { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one invocation may take (host.json <c>functionTimeout</c> wins when set).</summary>
    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
