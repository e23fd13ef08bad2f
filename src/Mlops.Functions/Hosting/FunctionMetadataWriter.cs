using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.Functions.Hosting;

/// <summary>
/// Writes the files the Functions host reads — <c>{Function}/function.json</c> per function and <c>host.json</c> — from
/// the code's declarations. The build runs it (see the .csproj), so the files can never drift from the code.
/// </summary>
public static class FunctionMetadataWriter
{
    /// <summary>The executable the host starts: the framework-dependent handler, run with <c>dotnet</c>.</summary>
    public static JsonObject CustomHandlerSection(string handlerDll) => new()
    {
        ["description"] = new JsonObject
        {
            ["defaultExecutablePath"] = "dotnet",
            ["arguments"] = new JsonArray(handlerDll),
        },
        // Plain HTTP functions get the raw request (spec §2.4): no JSON re-encoding on the hot predict path.
        ["enableForwardingHttpRequest"] = true,
    };

    /// <summary>The function.json text of <paramref name="function"/>.</summary>
    public static string FunctionJsonText(FunctionDescriptor function)
    {
        var doc = new JsonObject
        {
            ["bindings"] = JsonSerializer.SerializeToNode(function.Bindings.ToList()),
        };
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// host.json: the repository's host.json (settings) with the generated <c>customHandler</c> section and the extension
    /// bundle a custom handler needs for its non-HTTP bindings (the isolated app brings its own extensions, so the shared
    /// host.json has none).
    /// </summary>
    public static string HostJsonText(string sourceHostJson, string handlerDll)
    {
        var host = JsonNode.Parse(sourceHostJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })?.AsObject()
                   ?? throw new InvalidOperationException("host.json is not a JSON object.");
        host["customHandler"] = CustomHandlerSection(handlerDll);
        host["extensionBundle"] ??= new JsonObject
        {
            ["id"] = "Microsoft.Azure.Functions.ExtensionBundle",
            ["version"] = "[4.*, 5.0.0)",
        };
        return host.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes every function folder and host.json into <paramref name="scriptRoot"/>, removing folders of functions that no longer exist.</summary>
    public static void Write(FunctionCatalog catalog, string scriptRoot, string sourceHostJsonPath, string handlerDll)
    {
        Directory.CreateDirectory(scriptRoot);
        // Function folders sit directly under the script root (the host reads only those).
        foreach (var folder in Directory.GetDirectories(scriptRoot).Where(d => File.Exists(Path.Combine(d, "function.json"))))
        {
            if (catalog.Find(Path.GetFileName(folder)) is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        foreach (var function in catalog.Functions)
        {
            var dir = Path.Combine(scriptRoot, function.Name);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "function.json"), FunctionJsonText(function));
        }

        File.WriteAllText(Path.Combine(scriptRoot, "host.json"), HostJsonText(File.ReadAllText(sourceHostJsonPath), handlerDll));
    }
}
