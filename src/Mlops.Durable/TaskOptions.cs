namespace Mlops.Durable;

/// <summary>Options for one activity or sub-orchestration call.</summary>
public class TaskOptions
{
    /// <summary>Creates options, optionally with a retry policy.</summary>
    public TaskOptions(RetryPolicy? retry = null) => this.Retry = retry;

    /// <summary>The retry policy; null means a single attempt.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Options that retry with <paramref name="policy"/>.</summary>
    public static TaskOptions FromRetryPolicy(RetryPolicy policy) => new(policy ?? throw new ArgumentNullException(nameof(policy)));
}

/// <summary>Options for a sub-orchestration call: adds the child's instance ID.</summary>
public sealed class SubOrchestrationOptions : TaskOptions
{
    /// <summary>Creates options with an explicit child instance ID (null: a deterministic one is generated).</summary>
    public SubOrchestrationOptions(string? instanceId = null, RetryPolicy? retry = null)
        : base(retry) => this.InstanceId = instanceId;

    /// <summary>The child's instance ID; null means a deterministic GUID (<see cref="TaskOrchestrationContext.NewGuid"/>, "N" format).</summary>
    public string? InstanceId { get; init; }
}
