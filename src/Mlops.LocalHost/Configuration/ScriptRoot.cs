using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.LocalHost.Configuration;

/// <summary>One entry of a function.json <c>bindings</c> array; property names are case-insensitive like the host's.</summary>
internal sealed class BindingDefinition(JsonObject raw)
{
    public JsonObject Raw { get; } = raw;

    public string Type => Get("type") ?? "";

    public string Name => Get("name") ?? "";

    public string Direction => Get("direction") ?? "in";

    public bool IsIn => Direction.Equals("in", StringComparison.OrdinalIgnoreCase) || Direction.Equals("inout", StringComparison.OrdinalIgnoreCase);

    public bool IsOut => Direction.Equals("out", StringComparison.OrdinalIgnoreCase) || Direction.Equals("inout", StringComparison.OrdinalIgnoreCase);

    public bool IsType(string type) => Type.Equals(type, StringComparison.OrdinalIgnoreCase);

    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

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

/// <summary>A function folder: its name (the folder name) and its bindings.</summary>
internal sealed class FunctionDefinition(string name, IReadOnlyList<BindingDefinition> bindings, bool disabled)
{
    public string Name { get; } = name;

    public IReadOnlyList<BindingDefinition> Bindings { get; } = bindings;

    public bool Disabled { get; } = disabled;

    public BindingDefinition? Trigger => Bindings.FirstOrDefault(b => b.IsTrigger && b.IsIn);

    public string TriggerType => Trigger?.Type ?? "";

    public bool HasTrigger(string type) => Trigger?.IsType(type) == true;

    public IEnumerable<BindingDefinition> Outputs => Bindings.Where(b => b.IsOut);

    /// <summary>The orchestrator or activity name the trigger answers to (optional override, else the function name).</summary>
    public string DurableName(string property) => Trigger?.Get(property) is { Length: > 0 } n ? n : Name;
}

/// <summary>host.json, the function folders and local.settings.json of a custom-handler app (spec §1).</summary>
internal sealed class ScriptRoot
{
    private ScriptRoot(string path, JsonObject hostJson, IReadOnlyList<FunctionDefinition> functions, IReadOnlyDictionary<string, string> localSettings)
    {
        Path = path;
        HostJson = hostJson;
        Functions = functions;
        LocalSettings = localSettings;
    }

    public string Path { get; }

    public JsonObject HostJson { get; }

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>The <c>Values</c> of local.settings.json plus <c>ConnectionStrings:*</c> entries.</summary>
    public IReadOnlyDictionary<string, string> LocalSettings { get; }

    public JsonObject? CustomHandler => Section(HostJson, "customHandler") ?? Section(HostJson, "httpWorker");

    public JsonObject? Description => CustomHandler is { } ch ? Section(ch, "description") : null;

    public bool EnableForwardingHttpRequest => CustomHandler is { } ch && Value(ch, "enableForwardingHttpRequest") is JsonValue v && v.TryGetValue(out bool b) && b;

    public string RoutePrefix =>
        Section(Section(HostJson, "extensions"), "http") is { } http && Value(http, "routePrefix") is JsonValue v && v.TryGetValue(out string? p)
            ? p.Trim('/')
            : "api";

    public JsonObject? DurableTask => Section(Section(HostJson, "extensions"), "durableTask");

    public FunctionDefinition? Find(string name) =>
        Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static ScriptRoot Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var hostPath = System.IO.Path.Combine(path, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new InvalidOperationException($"script root '{path}': host.json is missing (every Functions app has one at its root).");
        }

        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var hostJson = JsonNode.Parse(File.ReadAllText(hostPath), documentOptions: options) as JsonObject
            ?? throw new InvalidOperationException($"{hostPath}: must be a JSON object.");

        var functions = new List<FunctionDefinition>();
        foreach (var dir in Directory.EnumerateDirectories(path).Order(StringComparer.Ordinal))
        {
            var fj = System.IO.Path.Combine(dir, "function.json");
            if (!File.Exists(fj))
            {
                continue;
            }

            var doc = JsonNode.Parse(File.ReadAllText(fj), documentOptions: options) as JsonObject
                ?? throw new InvalidOperationException($"{fj}: must be a JSON object.");
            var bindings = (Value(doc, "bindings") as JsonArray ?? throw new InvalidOperationException($"{fj}: 'bindings' must be an array."))
                .OfType<JsonObject>().Select(b => new BindingDefinition(b)).ToList();
            var disabled = Value(doc, "disabled") is JsonValue d && d.TryGetValue(out bool isDisabled) && isDisabled;
            functions.Add(new FunctionDefinition(System.IO.Path.GetFileName(dir), bindings, disabled));
        }

        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var localSettingsPath = System.IO.Path.Combine(path, "local.settings.json");
        if (File.Exists(localSettingsPath))
        {
            var ls = JsonNode.Parse(File.ReadAllText(localSettingsPath), documentOptions: options) as JsonObject;
            if (ls is not null && Section(ls, "Values") is { } values)
            {
                foreach (var (k, v) in values)
                {
                    settings[k] = v is JsonValue jv && jv.TryGetValue(out string? s) ? s : v?.ToJsonString() ?? "";
                }
            }

            if (ls is not null && Section(ls, "ConnectionStrings") is { } cs)
            {
                foreach (var (k, v) in cs)
                {
                    settings["ConnectionStrings:" + k] = v?.GetValue<string>() ?? "";
                }
            }
        }

        return new ScriptRoot(path, hostJson, functions, settings);
    }

    public static JsonObject? Section(JsonObject? parent, string name) => Value(parent, name) as JsonObject;

    public static JsonNode? Value(JsonObject? parent, string name)
    {
        if (parent is null)
        {
            return null;
        }

        foreach (var (key, value) in parent)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
