namespace Mlops.Durable;

/// <summary>What an activity knows about its invocation.</summary>
public sealed class ActivityContext
{
    /// <summary>Creates a context.</summary>
    public ActivityContext(string name, string instanceId, CancellationToken cancellationToken = default)
    {
        this.Name = name ?? throw new ArgumentNullException(nameof(name));
        this.InstanceId = instanceId ?? string.Empty;
        this.CancellationToken = cancellationToken;
    }

    /// <summary>The activity function name.</summary>
    public string Name { get; }

    /// <summary>The instance ID of the orchestration that scheduled this activity ("" when unknown).</summary>
    public string InstanceId { get; }

    /// <summary>Cancelled when the handler's HTTP request is aborted.</summary>
    public CancellationToken CancellationToken { get; }
}
