namespace Mlops.Durable.Client;

/// <summary>Filters for <see cref="DurableClient.ListAsync"/> (query parameters of <c>GET /instances</c>).</summary>
public sealed class InstanceQuery
{
    /// <summary>Only instances whose ID starts with this text.</summary>
    public string? InstanceIdPrefix { get; init; }

    /// <summary>Only instances created at or after this time.</summary>
    public DateTimeOffset? CreatedTimeFrom { get; init; }

    /// <summary>Only instances created at or before this time.</summary>
    public DateTimeOffset? CreatedTimeTo { get; init; }

    /// <summary>Only instances in one of these statuses.</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? RuntimeStatus { get; init; }

    /// <summary>Include inputs (default false, to keep pages small).</summary>
    public bool ShowInput { get; init; }

    /// <summary>Page size (<c>top</c>); null lets the server choose.</summary>
    public int? PageSize { get; init; }
}
