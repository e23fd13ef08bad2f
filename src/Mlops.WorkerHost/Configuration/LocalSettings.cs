using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Configuration;

/// <summary>local.settings.json as Core Tools reads it (spec §2.3): Values, ConnectionStrings, Host.LocalHttpPort.</summary>
internal sealed class LocalSettings
{
    public IReadOnlyDictionary<string, string> Values { get; private init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> ConnectionStrings { get; private init; } = new Dictionary<string, string>();

    public int? LocalHttpPort { get; private init; }

    public static LocalSettings Load(string scriptRoot)
    {
        var path = Path.Combine(scriptRoot, "local.settings.json");
        if (!File.Exists(path))
        {
            return new LocalSettings();
        }

        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
            ?? throw new InvalidOperationException($"{path}: not a JSON object.");

        // Core Tools treats a file without "IsEncrypted": false as encrypted; we cannot decrypt its data-protection blobs, so say so.
        var encrypted = root["IsEncrypted"] is not JsonValue flag || !flag.TryGetValue(out bool b) || b;
        if (encrypted && root["Values"] is JsonObject { Count: > 0 })
        {
            throw new InvalidOperationException($"{path}: IsEncrypted is true (the default when absent); write \"IsEncrypted\": false for plain values.");
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root["Values"] is JsonObject v)
        {
            foreach (var (key, value) in v)
            {
                // Null values are skipped; empty strings are kept as empty variables (Core Tools' behaviour).
                if (value is not null)
                {
                    values[key] = value is JsonValue jv && jv.TryGetValue(out string? s) ? s : value.ToJsonString();
                }
            }
        }

        var connections = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root["ConnectionStrings"] is JsonObject c)
        {
            foreach (var (key, value) in c)
            {
                var text = value switch
                {
                    JsonValue jv when jv.TryGetValue(out string? s) => s,
                    JsonObject o => o["ConnectionString"]?.GetValue<string>(),
                    _ => null,
                };
                if (text is not null)
                {
                    connections[key] = text;
                }
            }
        }

        int? port = root["Host"]?["LocalHttpPort"] is JsonValue p && p.TryGetValue(out int n) ? n : null;
        return new LocalSettings { Values = values, ConnectionStrings = connections, LocalHttpPort = port };
    }
}
