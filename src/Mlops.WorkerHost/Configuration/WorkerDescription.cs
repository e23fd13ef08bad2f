using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Configuration;

/// <summary>The <c>description</c> of worker.config.json (spec §2.1): how to launch the worker.</summary>
internal sealed class WorkerDescription
{
    public string Language { get; private init; } = "dotnet-isolated";

    public string ExecutablePath { get; private init; } = "dotnet";

    public string WorkerPath { get; private init; } = "";

    public IReadOnlyList<string> Arguments { get; private init; } = [];

    public IReadOnlyList<string> WorkerArguments { get; private init; } = [];

    public string? WorkerDirectory { get; private init; }

    /// <summary>The worker indexes its own functions (FunctionsMetadataRequest) instead of the host reading functions.metadata.</summary>
    public bool WorkerIndexing { get; private init; }

    public static WorkerDescription Parse(JsonObject config)
    {
        var d = config["description"] as JsonObject ?? [];
        static IReadOnlyList<string> List(JsonNode? n) => n switch
        {
            JsonArray a => a.Select(x => x?.ToString() ?? "").ToList(),
            JsonValue v when v.TryGetValue(out string? s) && s.Length > 0 => [s],
            _ => [],
        };

        return new WorkerDescription
        {
            Language = d["language"]?.ToString() ?? "dotnet-isolated",
            ExecutablePath = d["defaultExecutablePath"]?.ToString() is { Length: > 0 } exe ? exe : "dotnet",
            WorkerPath = d["defaultWorkerPath"]?.ToString() ?? "",
            Arguments = List(d["arguments"]),
            WorkerArguments = List(d["workerArguments"]),
            WorkerDirectory = d["workerDirectory"]?.ToString(),
            WorkerIndexing = string.Equals(d["workerIndexing"]?.ToString(), "true", StringComparison.OrdinalIgnoreCase),
        };
    }
}
