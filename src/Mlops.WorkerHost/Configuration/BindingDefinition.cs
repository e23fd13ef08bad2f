using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Configuration;

/// <summary>One binding of a function as functions.metadata (or the worker's raw binding JSON) states it; names are case-insensitive like the host's.</summary>
internal sealed class BindingDefinition(JsonObject raw)
{
    public JsonObject Raw { get; } = raw;

    public string Type => Get("type") ?? "";

    public string Name => Get("name") ?? "";

    public string Direction => Get("direction") ?? "in";

    public bool IsIn => Direction.Equals("in", StringComparison.OrdinalIgnoreCase) || Direction.Equals("inout", StringComparison.OrdinalIgnoreCase);

    public bool IsOut => Direction.Equals("out", StringComparison.OrdinalIgnoreCase) || Direction.Equals("inout", StringComparison.OrdinalIgnoreCase);

    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    public bool IsType(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);

    public string? DataType => Get("dataType");

    /// <summary>The worker asks for model binding data (SDK types) instead of content (spec §5.2).</summary>
    public bool SupportsDeferredBinding =>
        Node("properties") is JsonObject p && p.FirstOrDefault(kv => kv.Key.Equals("supportsDeferredBinding", StringComparison.OrdinalIgnoreCase)).Value is JsonNode v
        && string.Equals(v.ToString(), "true", StringComparison.OrdinalIgnoreCase);

    public string? Get(string property) => Node(property) switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonNode n => n.ToJsonString(),
    };

    public bool GetBool(string property, bool defaultValue) => Node(property) switch
    {
        JsonValue v when v.TryGetValue(out bool b) => b,
        JsonValue v when v.TryGetValue(out string? s) && bool.TryParse(s, out var parsed) => parsed,
        _ => defaultValue,
    };

    public JsonNode? Node(string property)
    {
        foreach (var (key, value) in Raw)
        {
            if (key.Equals(property, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
