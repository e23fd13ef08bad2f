using System.IO.Compression;
using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Infra.Tests;

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
    public void Publish_ProjectThatIsNotACsproj_FailsSayingWhatToName()
    {
        var result = ProcessRunner.Run("bash", [PublishScript], RepoPaths.Root, TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["MLOPS_FUNCTIONS_PROJECT"] = Path.Combine(RepoPaths.Root, "Functions.sln") });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is not a .csproj", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_FunctionApp_ZipIsTheIsolatedWorkerPublishAndServesUploadToPredict()
    {
        var work = Directory.CreateTempSubdirectory("mlops-publish-test-");
        try
        {
            var zip = Path.Combine(work.FullName, "package.zip");
            var result = ProcessRunner.Run("bash", [PublishScript, zip], RepoPaths.Root, TimeSpan.FromMinutes(8));
            Assert.True(result.ExitCode == 0, result.ToString());

            var root = Path.Combine(work.FullName, "unpacked");
            ZipFile.ExtractToDirectory(zip, root);

            // The repository's host.json, untouched: no customHandler, no extension bundle (the worker brings its extensions).
            var host = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "host.json")))!;
            var sourceHost = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")))!;
            Assert.Equal(sourceHost.ToJsonString(), host.ToJsonString());
            Assert.Null(host["customHandler"]);
            Assert.Null(host["extensionBundle"]);

            // The worker as the host launches it, and the functions the Worker SDK indexed from the attributes.
            var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "worker.config.json")))!["description"]!;
            Assert.Equal("dotnet", (string?)worker["defaultExecutablePath"]);
            Assert.Equal("Mlops.FunctionApp.dll", (string?)worker["defaultWorkerPath"]);
            var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "functions.metadata")))!.AsArray()
                .Select(f => (string)f!["name"]!).ToList();
            Assert.Contains("TrainingPipeline", functions);
            Assert.Contains("IngestUpload", functions);
            Assert.Contains("Predict", functions);
            Assert.True(Directory.Exists(Path.Combine(root, ".azurefunctions")), ".azurefunctions (the worker extensions) is missing");

            // Nothing local-only or build-only travels; only Linux native libraries.
            var all = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).ToList();
            Assert.DoesNotContain(all, f => Path.GetFileName(f).StartsWith("local.settings", StringComparison.Ordinal));
            Assert.DoesNotContain(all, f => f.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.DoesNotContain(all, f => f.StartsWith("obj/", StringComparison.Ordinal) || f.Contains("/obj/", StringComparison.Ordinal));
            // The app's own assets are published for linux-x64 (flattened, no other platforms' natives); .azurefunctions is
            // the host-side extension payload the Worker SDK builds, which carries its own runtimes/ folders.
            Assert.DoesNotContain(all, f => f.StartsWith("runtimes/", StringComparison.Ordinal));
            Assert.Contains("libonnxruntime.so", all);
            Assert.Contains("Mlops.FunctionApp.dll", all);
            // The dashboard ships in the package: its pages and the chart library from npm (no CDN).
            Assert.Contains("dashboard/index.html", all);
            Assert.Contains("dashboard/js/app.js", all);
            Assert.Contains("dashboard/vendor/vega-lite.min.js", all);

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
        await using var host = await Mlops.WorkerHost.FunctionsHost.StartAsync(new Mlops.WorkerHost.FunctionsHostOptions
        {
            ScriptRoot = scriptRoot,
            Port = 0,
            // The settings the Bicep template gives the app in Azure (there is no local.settings.json in a package).
            Environment =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
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
