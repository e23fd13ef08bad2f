namespace Mlops.Testing;

/// <summary>Locations inside the repository, found by walking up to <c>Functions.sln</c>.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find Functions.sln above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The folder of real datasets installed by <c>npm ci</c> (package vega-datasets).</summary>
    public static string VegaData
    {
        get
        {
            var path = Path.Combine(Root, "node_modules", "vega-datasets", "data");
            return Directory.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run 'npm ci' at the repository root.");
        }
    }

    /// <summary>The build configuration the tests were built with (Debug or Release), read from their output path.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Release") ? "Release" : "Debug";

    /// <summary>
    /// The app's script root: the isolated-worker app's build output (host.json, functions.metadata, worker.config.json
    /// next to the app's dll), what <c>tools/func start --script-root</c> runs.
    /// </summary>
    public static string FunctionsScriptRoot => Path.Combine(Root, "src", "Mlops.FunctionApp", "bin", Configuration, "net10.0");

    /// <summary>The path of a vega-datasets file, e.g. <c>seattle-weather.csv</c>.</summary>
    public static string Dataset(string fileName) => Path.Combine(VegaData, fileName);
}
