namespace Mlops.Durable.Client;

/// <summary>The runtime status of an orchestration instance (spec §6.2; numeric values match the wire enum, Unknown is −1).</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>The extension reported a status this client does not know.</summary>
    Unknown = -1,

    /// <summary>Running or waiting.</summary>
    Running = 0,

    /// <summary>Completed successfully.</summary>
    Completed = 1,

    /// <summary>Restarted with a new history (continue-as-new).</summary>
    ContinuedAsNew = 2,

    /// <summary>Failed with an error.</summary>
    Failed = 3,

    /// <summary>Canceled.</summary>
    Canceled = 4,

    /// <summary>Terminated by a client.</summary>
    Terminated = 5,

    /// <summary>Scheduled but not started yet.</summary>
    Pending = 6,

    /// <summary>Suspended by a client.</summary>
    Suspended = 7,
}
