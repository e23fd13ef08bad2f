using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Configuration;

/// <summary>The build output of an isolated-worker app (spec §2): host.json, worker.config.json, functions.metadata, local.settings.json.</summary>
internal sealed class ScriptRoot
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private ScriptRoot(string path, JsonObject hostJson, WorkerDescription worker, LocalSettings settings)
    {
        Path = path;
        HostJson = hostJson;
        Worker = worker;
        Settings = settings;
    }

    public string Path { get; }

    public JsonObject HostJson { get; }

    public WorkerDescription Worker { get; }

    public LocalSettings Settings { get; }

    /// <summary><c>extensions.http.routePrefix</c>, default <c>api</c>; empty is allowed.</summary>
    public string RoutePrefix => HostJson["extensions"]?["http"]?["routePrefix"] is JsonValue v && v.TryGetValue(out string? s) ? s.Trim('/') : "api";

    /// <summary><c>extensions.queues.maxDequeueCount</c>, default 5.</summary>
    public int MaxDequeueCount => HostJson["extensions"]?["queues"]?["maxDequeueCount"] is JsonValue v && v.TryGetValue(out int n) && n > 0 ? n : 5;

    public JsonNode? DurableTaskSection => HostJson["extensions"]?["durableTask"];

    /// <summary>True when the path looks like an isolated-worker script root (tools/func dispatches on this).</summary>
    public static bool IsWorkerRoot(string path) => File.Exists(System.IO.Path.Combine(path, "worker.config.json"));

    public static ScriptRoot Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var workerConfig = System.IO.Path.Combine(path, "worker.config.json");
        if (!File.Exists(workerConfig))
        {
            throw new InvalidOperationException($"{path}: no worker.config.json; is this the build output of an isolated-worker app?");
        }

        var hostPath = System.IO.Path.Combine(path, "host.json");
        var host = File.Exists(hostPath) ? JsonNode.Parse(File.ReadAllText(hostPath), documentOptions: Lenient)?.AsObject() ?? [] : [];
        var worker = WorkerDescription.Parse(JsonNode.Parse(File.ReadAllText(workerConfig), documentOptions: Lenient)?.AsObject() ?? []);
        return new ScriptRoot(path, host, worker, LocalSettings.Load(path));
    }

    /// <summary>Host indexing: functions.metadata read by the host itself (used when the worker says use_default_metadata_indexing).</summary>
    public IReadOnlyList<FunctionDefinition> ReadFunctionsMetadata()
    {
        var file = System.IO.Path.Combine(Path, "functions.metadata");
        if (!File.Exists(file))
        {
            return [];
        }

        var functions = new List<FunctionDefinition>();
        foreach (var node in JsonNode.Parse(File.ReadAllText(file), documentOptions: Lenient)?.AsArray() ?? [])
        {
            if (node is not JsonObject f)
            {
                continue;
            }

            var bindings = (f["bindings"] as JsonArray ?? []).OfType<JsonObject>().Select(b => new BindingDefinition(b)).ToList();
            var properties = (f["properties"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "");
            functions.Add(new FunctionDefinition(
                f["name"]?.GetValue<string>() ?? "", f["scriptFile"]?.GetValue<string>() ?? "", f["entryPoint"]?.GetValue<string>() ?? "", bindings)
            {
                Properties = properties,
            });
        }

        return functions;
    }
}
