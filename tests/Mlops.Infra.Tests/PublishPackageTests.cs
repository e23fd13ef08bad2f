using System.IO.Compression;
using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Infra.Tests;

/// <summary>
/// A fact that runs only once the Functions app exists. xUnit 2 has no dynamic skip, so the skip
/// reason is decided when the attribute is built, from the presence of the app's project file.
/// </summary>
public sealed class RequiresFunctionsAppFactAttribute : FactAttribute
{
    internal static string ProjectPath => Path.Combine(RepoPaths.Root, "src", "Mlops.Functions", "Mlops.Functions.csproj");

    public RequiresFunctionsAppFactAttribute()
    {
        if (!File.Exists(ProjectPath))
        {
            Skip = "src/Mlops.Functions/Mlops.Functions.csproj does not exist yet: the publish package is built from the app.";
        }
    }
}

/// <summary>tools/publish: the zip the real Functions host loads.</summary>
public sealed class PublishPackageTests
{
    private static string PublishScript => Path.Combine(RepoPaths.Root, "tools", "publish");

    [Fact]
    public void Publish_MissingAppProject_FailsNamingTheProject()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir", "Nothing.csproj");

        var result = ProcessRunner.Run("bash", [PublishScript], RepoPaths.Root, TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["MLOPS_FUNCTIONS_PROJECT"] = missing });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(missing, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("does not exist", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_UnknownMode_FailsNamingTheAllowedModes()
    {
        var result = ProcessRunner.Run("bash", [PublishScript], RepoPaths.Root, TimeSpan.FromMinutes(1),
            new Dictionary<string, string>
            {
                ["PUBLISH_MODE"] = "portable",
                // Any existing file passes the project check; the mode check comes before any build.
                ["MLOPS_FUNCTIONS_PROJECT"] = Path.Combine(RepoPaths.Root, "Functions.sln"),
            });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("'self-contained' or 'framework-dependent'", result.StandardError, StringComparison.Ordinal);
    }

    [RequiresFunctionsAppFact]
    public async Task Publish_FunctionsApp_ZipHasExactlyTheHostLayoutAndServesUploadToPredict()
    {
        var work = Directory.CreateTempSubdirectory("mlops-publish-test-");
        try
        {
            var zip = Path.Combine(work.FullName, "package.zip");
            var result = ProcessRunner.Run("bash", [PublishScript, zip], RepoPaths.Root, TimeSpan.FromMinutes(5));
            Assert.True(result.ExitCode == 0, result.ToString());

            var root = Path.Combine(work.FullName, "unpacked");
            ZipFile.ExtractToDirectory(zip, root);

            // host.json at the root, describing a self-contained handler that is in the package and executable.
            var host = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "host.json")))!;
            Assert.Equal("2.0", (string?)host["version"]);
            Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", (string?)host["extensionBundle"]!["id"]);
            var executable = (string)host["customHandler"]!["description"]!["defaultExecutablePath"]!;
            Assert.Equal("Mlops.Functions", executable);
            var handler = Path.Combine(root, executable);
            Assert.True(File.Exists(handler), $"{executable} is not in the package");
            Assert.True((File.GetUnixFileMode(handler) & UnixFileMode.UserExecute) != 0, $"{executable} lost its execute bit in the zip");

            // Every folder holding a function.json is a function; each declares bindings.
            var functionDirs = Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "function.json"))).ToList();
            Assert.NotEmpty(functionDirs);
            Assert.All(functionDirs, d =>
            {
                Assert.Equal(["function.json"], Directory.GetFiles(d).Select(Path.GetFileName));
                Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!["bindings"]!.AsArray());
            });

            // Nothing local-only or build-only travels.
            var all = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).ToList();
            Assert.DoesNotContain(all, f => Path.GetFileName(f).StartsWith("local.settings", StringComparison.Ordinal));
            Assert.DoesNotContain(all, f => f.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.DoesNotContain(all, f => f.StartsWith("obj/", StringComparison.Ordinal) || f.Contains("/obj/", StringComparison.Ordinal));
            Assert.Contains("Mlops.Functions.dll", all);
            Assert.Contains("libcoreclr.so", all); // self-contained: the runtime travels with the handler

            // The unpacked package runs under the local host exactly as under the real one: upload -> train -> predict.
            await UploadToPredictAsync(root);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static async Task UploadToPredictAsync(string scriptRoot)
    {
        await using var azurite = await AzuriteInstance.StartAsync();
        await using var host = await Mlops.LocalHost.FunctionsHost.StartAsync(new Mlops.LocalHost.FunctionsHostOptions
        {
            ScriptRoot = scriptRoot,
            Port = 0,
            // The settings the Bicep template gives the app in Azure (there is no local.settings.json in a package).
            Environment =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["MLOPS_DRIFT_SCHEDULE"] = "0 */15 * * * *",
                ["MLOPS_RETRAIN_CHECK_SCHEDULE"] = "0 */5 * * * *",
                ["MLOPS_FEATURES_SCHEDULE"] = "0 */5 * * * *",
            },
            Output = TextWriter.Null,
        });
        using var http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        using var put = await http.PutAsync("api/projects/weather", new StringContent(
            """{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm"],"search":{"maxCandidates":1}}""",
            System.Text.Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        using var upload = await http.PostAsync("api/projects/weather/datasets",
            new StringContent(File.ReadAllText(RepoPaths.Dataset("seattle-weather.csv")), System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(202, (int)upload.StatusCode);
        var runId = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["runId"]!.GetValue<string>();

        var deadline = DateTime.UtcNow.AddMinutes(4);
        string? status = null;
        while (status is not ("Completed" or "Failed") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            status = (string?)JsonNode.Parse(await http.GetStringAsync($"api/runs/{runId}"))!["runtimeStatus"];
        }

        Assert.Equal("Completed", status);
        using var predict = await http.PostAsync("api/models/weather/predict", new StringContent(
            """{"dataframe_records":[{"precipitation":12.4,"temp_max":8.3,"temp_min":3.9,"wind":5.1}]}""", System.Text.Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await predict.Content.ReadAsStringAsync())!;
        Assert.True(predict.IsSuccessStatusCode, body.ToJsonString());
        Assert.Equal(1, (int)body["model"]!["version"]!);
        Assert.Single(body["predictions"]!.AsArray());
    }
}
