using System.Text.Json;
using Mlops.Functions;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Tests;

/// <summary>The function.json files the build wrote must say exactly what the code declares.</summary>
public class FunctionMetadataTests
{
    private static readonly FunctionCatalog Catalog = FunctionCatalog.FromAssembly(typeof(HandlerApp).Assembly);

    private static string ScriptRoot => Mlops.Testing.RepoPaths.FunctionsScriptRoot;

    [Fact]
    public void BuildOutput_FunctionFolders_MatchDeclarationsExactly()
    {
        // The host reads function folders directly under the script root.
        var folders = Directory.GetDirectories(ScriptRoot).Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(Catalog.Functions.Select(f => f.Name).Order(StringComparer.Ordinal), folders);
        foreach (var function in Catalog.Functions)
        {
            var onDisk = File.ReadAllText(Path.Combine(ScriptRoot, function.Name, "function.json"));
            Assert.Equal(FunctionMetadataWriter.FunctionJsonText(function), onDisk);
        }
    }

    [Fact]
    public void BuildOutput_HostJson_HasCustomHandlerAndRepositorySettings()
    {
        using var built = JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptRoot, "host.json")));
        using var source = JsonDocument.Parse(File.ReadAllText(Path.Combine(Mlops.Testing.RepoPaths.Root, "host.json")));

        var handler = built.RootElement.GetProperty("customHandler").GetProperty("description");
        Assert.Equal("dotnet", handler.GetProperty("defaultExecutablePath").GetString());
        Assert.Equal("Mlops.Functions.dll", handler.GetProperty("arguments")[0].GetString());
        Assert.True(File.Exists(Path.Combine(ScriptRoot, "Mlops.Functions.dll")));
        Assert.Equal(
            source.RootElement.GetProperty("extensions").GetRawText().Replace(" ", "").Replace("\n", ""),
            built.RootElement.GetProperty("extensions").GetRawText().Replace(" ", "").Replace("\n", ""));
    }

    [Fact]
    public void Catalog_DurableFunctions_DeclareNoReturnBinding()
    {
        foreach (var function in Catalog.Functions.Where(f => f.Kind is TriggerKind.Orchestration or TriggerKind.Activity))
        {
            Assert.DoesNotContain(function.Bindings, b => Equals(b["name"], "$return"));
            Assert.Single(function.Bindings);
        }
    }

    [Fact]
    public void Catalog_HttpFunctionsWithDurableClient_AreNotForwarded()
    {
        foreach (var function in Catalog.Functions.Where(f => f.Kind == TriggerKind.Http))
        {
            Assert.Equal(!function.HasDurableClient, function.IsForwardedHttp);
        }
    }
}
