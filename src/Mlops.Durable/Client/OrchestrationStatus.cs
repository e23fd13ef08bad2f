using System.Globalization;
using System.Text.Json;

namespace Mlops.Durable.Client;

/// <summary>The status of one orchestration instance as the Durable HTTP API reports it (spec §6.2).</summary>
public sealed class OrchestrationStatus
{
    /// <summary>The orchestrator function name.</summary>
    public required string Name { get; init; }

    /// <summary>The instance ID.</summary>
    public required string InstanceId { get; init; }

    /// <summary>The runtime status.</summary>
    public required OrchestrationRuntimeStatus RuntimeStatus { get; init; }

    /// <summary>The input, or null when none was stored (or <c>showInput=false</c>).</summary>
    public JsonElement? Input { get; init; }

    /// <summary>The output; for Failed instances the text "&lt;errorType&gt;: &lt;message&gt;", for Terminated ones the reason.</summary>
    public JsonElement? Output { get; init; }

    /// <summary>The custom status, or null.</summary>
    public JsonElement? CustomStatus { get; init; }

    /// <summary>When the instance was created (UTC, whole seconds).</summary>
    public DateTimeOffset CreatedTime { get; init; }

    /// <summary>When the instance was last updated (UTC, whole seconds).</summary>
    public DateTimeOffset LastUpdatedTime { get; init; }

    /// <summary>The history items (PascalCase DTFx shape), only when requested with <c>showHistory</c>.</summary>
    public JsonElement? HistoryEvents { get; init; }

    /// <summary>True when the instance will not run again by itself: Completed, Failed, Terminated or Canceled.</summary>
    public bool IsTerminal => this.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed
        or OrchestrationRuntimeStatus.Terminated or OrchestrationRuntimeStatus.Canceled;

    /// <summary>The output deserialised as <typeparamref name="T"/> (default when there is none).</summary>
    public T? ReadOutputAs<T>(JsonSerializerOptions? options = null) =>
        this.Output is { ValueKind: not JsonValueKind.Null } output ? output.Deserialize<T>(options ?? JsonSerializerOptions.Web) : default;

    /// <summary>Reads a status object tolerantly: property names in any case, status as name or number, unknown fields ignored.</summary>
    /// <exception cref="FormatException">The element is not a status object.</exception>
    public static OrchestrationStatus Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"An orchestration status must be a JSON object, not {element.ValueKind}.");
        }

        string? name = null, instanceId = null;
        var status = OrchestrationRuntimeStatus.Unknown;
        JsonElement? input = null, output = null, customStatus = null, history = null;
        DateTimeOffset created = default, updated = default;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            JsonElement value = property.Value;
            switch (property.Name.ToUpperInvariant())
            {
                case "NAME":
                    name = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    break;
                case "INSTANCEID":
                    instanceId = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    break;
                case "RUNTIMESTATUS":
                    status = ParseRuntimeStatus(value);
                    break;
                case "INPUT":
                    input = NullIfNull(value);
                    break;
                case "OUTPUT":
                    output = NullIfNull(value);
                    break;
                case "CUSTOMSTATUS":
                    customStatus = NullIfNull(value);
                    break;
                case "CREATEDTIME":
                    created = ParseTime(value);
                    break;
                case "LASTUPDATEDTIME":
                    updated = ParseTime(value);
                    break;
                case "HISTORYEVENTS":
                    history = NullIfNull(value);
                    break;
                default:
                    break; // fields differ between extension versions: ignore what we do not know
            }
        }

        return new OrchestrationStatus
        {
            Name = name ?? string.Empty,
            InstanceId = instanceId ?? throw new FormatException("The orchestration status has no instanceId."),
            RuntimeStatus = status,
            Input = input,
            Output = output,
            CustomStatus = customStatus,
            CreatedTime = created,
            LastUpdatedTime = updated,
            HistoryEvents = history,
        };
    }

    internal static OrchestrationRuntimeStatus ParseRuntimeStatus(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out int number) && System.Enum.IsDefined((OrchestrationRuntimeStatus)number) => (OrchestrationRuntimeStatus)number,
        JsonValueKind.String when System.Enum.TryParse(value.GetString(), ignoreCase: true, out OrchestrationRuntimeStatus parsed) && !int.TryParse(value.GetString(), out _) => parsed,
        _ => OrchestrationRuntimeStatus.Unknown,
    };

    private static JsonElement? NullIfNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.Clone();

    private static DateTimeOffset ParseTime(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : default;
}
