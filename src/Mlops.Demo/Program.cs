using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Mlops.Demo;

/// <summary>
/// The demo of the README's first command: against a running app (local host + Azurite), it creates the "weather"
/// project, uploads seattle-weather.csv as a blob, follows the durable training pipeline stage by stage, prints the
/// run's metrics and the promoted version, and calls predict in two request shapes. Exit code 0 only if every step worked.
/// </summary>
public static class Program
{
    /// <summary>Entry point: <c>--base-url URL --data FILE</c>; storage from <c>AzureWebJobsStorage</c>.</summary>
    public static async Task<int> Main(string[] args)
    {
        var baseUrl = Arg(args, "--base-url") ?? "http://localhost:7071";
        var data = Arg(args, "--data") ?? throw new ArgumentException("--data FILE is required (seattle-weather.csv).");
        var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "UseDevelopmentStorage=true";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        var demo = new Demo(http, storage, data);
        try
        {
            await demo.RunAsync();
            return 0;
        }
        catch (DemoStepFailed ex)
        {
            Console.Error.WriteLine($"\n  FAILED: {ex.Message}");
            return 1;
        }
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>A demo step that did not work; the message says what and what to look at.</summary>
public sealed class DemoStepFailed(string message) : Exception(message);

internal sealed class Demo(HttpClient http, string storage, string dataFile)
{
    private const string Project = "weather";
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task RunAsync()
    {
        await Step("waiting for the Functions host", WaitForHostAsync);
        await Step($"creating project '{Project}' (target: weather, multiclass)", PutProjectAsync);
        await Step($"uploading {Path.GetFileName(dataFile)} to blob incoming/{Project}/", UploadAsync);
        var runId = await Step("waiting for ingestion to version the data and start the pipeline", WaitForRunStartAsync);
        var run = await Step($"training pipeline {runId}", () => FollowRunAsync(runId));
        PrintRun(run);
        await Step("predict, dataframe_records shape (a wet winter day, a warm summer day)", () => PredictAsync("""
            {"dataframe_records":[
              {"precipitation":12.4,"temp_max":8.3,"temp_min":3.9,"wind":5.1},
              {"precipitation":0,"temp_max":29.4,"temp_min":15.6,"wind":2.8}]}
            """));
        await Step("predict, dataframe_split shape (same rows, column-wise)", () => PredictAsync("""
            {"dataframe_split":{"columns":["precipitation","temp_max","temp_min","wind"],
                                "data":[[12.4,8.3,3.9,5.1],[0,29.4,15.6,2.8]]}}
            """));
        Console.WriteLine($$"""

            Demo finished in {{_clock.Elapsed.TotalSeconds:0}}s. Try it yourself:
              curl {{http.BaseAddress}}api/models/{{Project}}
              curl {{http.BaseAddress}}api/runs/{{runId}}
              curl -X POST {{http.BaseAddress}}api/models/{{Project}}/predict -H 'content-type: application/json' \
                   -d '{"instances":[{"precipitation":0,"temp_max":20,"temp_min":10,"wind":3}]}'
              OpenAPI: {{http.BaseAddress}}api/openapi.json
            """);
    }

    private async Task<T> Step<T>(string title, Func<Task<T>> action)
    {
        Console.WriteLine($"\n[{_clock.Elapsed.TotalSeconds,5:0.0}s] {title}");
        return await action();
    }

    private async Task Step(string title, Func<Task> action)
    {
        Console.WriteLine($"\n[{_clock.Elapsed.TotalSeconds,5:0.0}s] {title}");
        await action();
    }

    private async Task WaitForHostAsync()
    {
        for (var i = 0; i < 240; i++)
        {
            try
            {
                using var response = await http.GetAsync("api/health");
                if (response.IsSuccessStatusCode)
                {
                    Console.WriteLine($"  host is up at {http.BaseAddress}");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(500);
        }

        throw new DemoStepFailed("the host did not answer GET /api/health within 2 minutes; see .run/host.log");
    }

    private async Task PutProjectAsync()
    {
        const string spec = """{"target":"weather","task":"multiclass","ignore":["date"],"metric":"macroF1","search":{"maxCandidates":6}}""";
        using var response = await http.PutAsync($"api/projects/{Project}", new StringContent(spec, Encoding.UTF8, "application/json"));
        var body = await Json(response, "PUT project");
        Console.WriteLine($"  spec version {body.GetProperty("specVersion").GetInt32()}: trainers {string.Join(", ", body.GetProperty("spec").GetProperty("trainers").EnumerateArray())}, metric {body.GetProperty("spec").GetProperty("metric")}");
    }

    private async Task UploadAsync()
    {
        var container = new BlobServiceClient(storage).GetBlobContainerClient("incoming");
        await container.CreateIfNotExistsAsync();
        var name = $"{Project}/{Path.GetFileName(dataFile)}";
        await using var file = File.OpenRead(dataFile);
        await container.GetBlobClient(name).UploadAsync(file, overwrite: true);
        Console.WriteLine($"  uploaded {new FileInfo(dataFile).Length / 1024} KB to incoming/{name}; the blob trigger picks it up");
    }

    private async Task<string> WaitForRunStartAsync()
    {
        for (var i = 0; i < 240; i++)
        {
            using var response = await http.GetAsync($"api/projects/{Project}");
            var body = await Json(response, "GET project");
            if (body.TryGetProperty("latestDataset", out var dataset) && body.TryGetProperty("latestRun", out var run) &&
                run.GetProperty("datasetSha256").GetString() == dataset.GetProperty("sha256").GetString())
            {
                Console.WriteLine($"  dataset v{dataset.GetProperty("version")}: {dataset.GetProperty("rowCount")} rows, sha256 {dataset.GetProperty("sha256").GetString()![..12]}…");
                return run.GetProperty("runId").GetString()!;
            }

            await Task.Delay(500);
        }

        throw new DemoStepFailed("no run started within 2 minutes of the upload; see .run/host.log (IngestUpload) and GET /api/projects/weather/datasets");
    }

    private async Task<JsonElement> FollowRunAsync(string runId)
    {
        var printed = new HashSet<string>();
        string? lastProgress = null;
        for (var i = 0; i < 1200; i++)
        {
            using var response = await http.GetAsync($"api/runs/{runId}");
            var body = await Json(response, "GET run");
            if (body.TryGetProperty("progress", out var progress))
            {
                var line = $"  … {progress.GetProperty("stage")} ({progress.GetProperty("step")}/{progress.GetProperty("steps")}): {progress.GetProperty("detail")}";
                if (line != lastProgress)
                {
                    Console.WriteLine(line);
                    lastProgress = line;
                }
            }

            foreach (var stage in body.GetProperty("run").GetProperty("stages").EnumerateArray())
            {
                var name = stage.GetProperty("name").GetString()!;
                var status = stage.GetProperty("status").GetString();
                if (status is "succeeded" or "failed" && printed.Add(name))
                {
                    var seconds = (stage.GetProperty("endedAt").GetDateTimeOffset() - stage.GetProperty("startedAt").GetDateTimeOffset()).TotalSeconds;
                    var detail = stage.TryGetProperty("detail", out var d) ? d.GetString() : stage.TryGetProperty("error", out var e) ? e.GetString() : "";
                    Console.WriteLine($"  {(status == "succeeded" ? "✓" : "✗")} {name,-22} {seconds,6:0.0}s  {detail}");
                }
            }

            var runtime = body.TryGetProperty("runtimeStatus", out var r) ? r.GetString() : null;
            if (runtime is "Completed")
            {
                return body;
            }

            if (runtime is "Failed" or "Terminated")
            {
                throw new DemoStepFailed($"run {runId} ended {runtime}: {body.GetProperty("run").GetProperty("error")}");
            }

            await Task.Delay(500);
        }

        throw new DemoStepFailed($"run {runId} did not finish within 10 minutes");
    }

    private static void PrintRun(JsonElement body)
    {
        var run = body.GetProperty("run");
        Console.WriteLine("\n  candidates (cross-validated on the training part):");
        foreach (var c in run.GetProperty("candidates").EnumerateArray())
        {
            var m = c.GetProperty("metrics");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {c.GetProperty("candidateId").GetString(),-14} accuracy {m.GetProperty("accuracy").GetDouble():0.000}  macroF1 {m.GetProperty("macroF1").GetDouble():0.000}  logLoss {m.GetProperty("logLoss").GetDouble():0.000}"));
        }

        var output = body.GetProperty("output");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\n  registered {output.GetProperty("modelName")} v{output.GetProperty("version")}, {output.GetProperty("metric")} {output.GetProperty("metricValue").GetDouble():0.000}; promoted: {output.GetProperty("promoted")} ({output.GetProperty("reason")})"));
    }

    private async Task PredictAsync(string body)
    {
        using var response = await http.PostAsync($"api/models/{Project}/predict", new StringContent(body, Encoding.UTF8, "application/json"));
        var result = await Json(response, "predict");
        var model = result.GetProperty("model");
        foreach (var p in result.GetProperty("predictions").EnumerateArray())
        {
            var top = p.GetProperty("probabilities").EnumerateObject().OrderByDescending(x => x.Value.GetDouble()).Take(2)
                .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Name} {x.Value.GetDouble():0.00}"));
            Console.WriteLine($"  → {p.GetProperty("label").GetString(),-8} ({string.Join(", ", top)})  [{model.GetProperty("name")} v{model.GetProperty("version")}]");
        }
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoStepFailed($"{what} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
