using System.Reflection;

namespace Mlops.Pipeline;

/// <summary>The code version (git commit, baked in at build) and package versions recorded in every run's lineage.</summary>
public static class BuildInfo
{
    /// <summary>The git commit the app was built from, or "unknown" when built outside git.</summary>
    public static string CodeVersion { get; } =
        typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitCommit")?.Value is { Length: > 0 } commit
            ? commit
            : "unknown";

    /// <summary>Versions of the libraries that decide what a model is: ML.NET, ONNX Runtime, and ours.</summary>
    public static IReadOnlyDictionary<string, string> PackageVersions { get; } = new Dictionary<string, string>
    {
        ["Microsoft.ML"] = VersionOf("Microsoft.ML.Data"),
        ["Microsoft.ML.OnnxRuntime"] = VersionOf("Microsoft.ML.OnnxRuntime"),
        ["Mlops.Pipeline"] = typeof(BuildInfo).Assembly.GetName().Version?.ToString() ?? "0",
        [".NET"] = Environment.Version.ToString(),
    };

    private static string VersionOf(string assemblyName)
    {
        try
        {
            var assembly = Assembly.Load(assemblyName);
            return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                   ?? assembly.GetName().Version?.ToString() ?? "unknown";
        }
        catch (FileNotFoundException)
        {
            return "not loaded";
        }
    }
}
