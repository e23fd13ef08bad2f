using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// The training side as a user drives it: specs through HTTP, data through blob upload or HTTP, the durable pipeline
/// on the new Functions host (isolated worker, DTFx) with real Azurite, real ML.NET training and real ONNX export.
/// </summary>
public sealed class TrainingPipelineEndToEndTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task BlobUpload_NewProject_TrainsRegistersAndPromotesVersion1()
    {
        await app.PutProjectAsync("weather-blob", WeatherData.FastSpec);

        await app.UploadBlobAsync("weather-blob", "seattle-weather.csv", WeatherData.All);
        var runId = await app.WaitForLatestRunAsync("weather-blob");
        var run = await app.WaitForRunAsync(runId);

        Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
        var record = run.GetProperty("run");
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Equal("upload", record.GetProperty("lineage").GetProperty("trigger").GetString());
        var stages = record.GetProperty("stages").EnumerateArray().Select(s => (Name: s.GetProperty("name").GetString()!, Status: s.GetProperty("status").GetString())).ToList();
        foreach (var stage in new[] { "validate", "profile", "split", "evaluate", "export", "register", "gate", "deploy" })
        {
            Assert.Contains((stage, "succeeded"), stages);
        }

        var model = await app.Http.GetFromJsonAsync<JsonElement>("api/models/weather-blob");
        Assert.Equal(1, model.GetProperty("versions").GetArrayLength());
        Assert.Equal(1, model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());
        var card = model.GetProperty("versions")[0].GetProperty("card");
        Assert.True(card.GetProperty("metrics").GetProperty("accuracy").GetDouble() > 0.6, "beats the 0.44 majority baseline");
        Assert.Single(model.GetProperty("audit").EnumerateArray());
    }

    [Fact]
    public async Task GetRun_FinishedRun_ProgressAndOutputAreCamelCase()
    {
        await app.PutProjectAsync("weather-casing", WeatherData.FastSpec);
        var (status, upload) = await app.PostCsvAsync("weather-casing", WeatherData.Months(1, 7));
        Assert.Equal(202, status);

        var run = await app.WaitForRunAsync(upload.GetProperty("runId").GetString()!);

        // The orchestration's custom status and output as the contract (and the demo) read them.
        var progress = run.GetProperty("progress");
        Assert.Equal(["detail", "stage", "step", "steps"], progress.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("done", progress.GetProperty("stage").GetString());
        Assert.Equal(progress.GetProperty("steps").GetInt32(), progress.GetProperty("step").GetInt32());
        var output = run.GetProperty("output");
        Assert.All(output.EnumerateObject(), p => Assert.True(char.IsLower(p.Name[0]), $"output member '{p.Name}' is camelCase"));
        Assert.Equal(1, output.GetProperty("version").GetInt32());
        Assert.True(output.GetProperty("promoted").GetBoolean());
    }

    [Fact]
    public async Task HttpUpload_IdenticalDataTwice_OneVersionAndOneRun()
    {
        await app.PutProjectAsync("weather-twice", WeatherData.FastSpec);
        var csv = WeatherData.Months(1, 2, 3, 4, 5, 6);

        var (firstStatus, first) = await app.PostCsvAsync("weather-twice", csv);
        var (secondStatus, second) = await app.PostCsvAsync("weather-twice", csv.Replace("\n", "\r\n"));

        Assert.Equal(202, firstStatus);
        Assert.Equal(200, secondStatus);
        Assert.Equal("unchanged", second.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("dataset").GetProperty("sha256").GetString(), second.GetProperty("dataset").GetProperty("sha256").GetString());
        Assert.Equal(first.GetProperty("runId").GetString(), second.GetProperty("runId").GetString());
        await app.WaitForRunAsync(first.GetProperty("runId").GetString()!);
        var list = await app.Http.GetFromJsonAsync<JsonElement>("api/projects/weather-twice/datasets");
        Assert.Equal(1, list.GetProperty("versions").GetArrayLength());
        var model = await app.Http.GetFromJsonAsync<JsonElement>("api/models/weather-twice");
        Assert.Equal(1, model.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task HttpUpload_LargerThanKestrelsDefaultLimit_IsReadWhole()
    {
        // 40 MB: past the worker's Kestrel default (30 MB), under the route's 100 MiB. The rows lack the target, so the
        // upload is read to its end (spooled, then validated) and quarantined with its report: a 422, not a 413.
        await app.PutProjectAsync("weather-large", WeatherData.FastSpec);
        var header = "date,precipitation,temp_max\n"u8.ToArray();
        var line = "2012-01-01,0.1,12.5\n"u8.ToArray();
        var rows = (40 * 1000 * 1000) / line.Length;
        var csv = new byte[header.Length + (rows * line.Length)];
        header.CopyTo(csv, 0);
        for (var i = 0; i < rows; i++)
        {
            line.CopyTo(csv, header.Length + (i * line.Length));
        }

        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var response = await app.Http.PostAsync("api/projects/weather-large/datasets", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 422, $"{(int)response.StatusCode}: {text}");
        using var body = JsonDocument.Parse(text);
        Assert.Contains(body.RootElement.GetProperty("report").GetProperty("failures").EnumerateArray(), f => f.GetProperty("rule").GetString() == "missing-target");
    }

    [Fact]
    public async Task BrokenCsv_BlobAndHttpUpload_QuarantinedWithReportAndNoRun()
    {
        await app.PutProjectAsync("weather-broken", WeatherData.FastSpec);
        var ragged = WeatherData.Months(1).Replace("\n2012-01-05,", "\n2012-01-05,1,");
        var noTarget = "date,precipitation,temp_max\n" + string.Join("\n", Enumerable.Range(1, 20).Select(i => $"2012-01-{i:00},0.1,{i}")) + "\n";

        var (status, body) = await app.PostCsvAsync("weather-broken", noTarget);
        await app.UploadBlobAsync("weather-broken", "ragged.csv", ragged);

        Assert.Equal(422, status);
        Assert.Contains(body.GetProperty("report").GetProperty("failures").EnumerateArray(), f => f.GetProperty("rule").GetString() == "missing-target");
        var quarantine = app.Blobs.GetBlobContainerClient("quarantine");
        var report = await AppHostFixture.EventuallyAsync(async () =>
        {
            await foreach (var blob in quarantine.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "weather-broken/", default))
            {
                if (blob.Name.EndsWith("/report.json", StringComparison.Ordinal))
                {
                    var content = (await quarantine.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                    if (content.Contains("ragged-row", StringComparison.Ordinal))
                    {
                        return content;
                    }
                }
            }

            return null;
        }, "the ragged upload's quarantine report");
        using var doc = JsonDocument.Parse(report);
        var failure = doc.RootElement.GetProperty("failures").EnumerateArray().First(f => f.GetProperty("rule").GetString() == "ragged-row");
        Assert.Equal(5, failure.GetProperty("firstRows")[0].GetInt64());

        var project = await app.Http.GetFromJsonAsync<JsonElement>("api/projects/weather-broken");
        Assert.False(project.TryGetProperty("latestRun", out _), "a rejected upload starts no run");
        var list = await app.Http.GetFromJsonAsync<JsonElement>("api/projects/weather-broken/datasets");
        Assert.Equal(0, list.GetProperty("versions").GetArrayLength());
        Assert.Equal(2, list.GetProperty("quarantined").GetArrayLength());
    }

    [Fact]
    public async Task Gate_BetterDataThenWorseData_PromotesOnlyTheBetterModel()
    {
        await app.PutProjectAsync("weather-gate", WeatherData.FastSpec.Replace("\"task\"", "\"metric\":\"accuracy\",\"task\""));

        // v1 only saw summers (almost all sun): on all seasons v2 is clearly better. v3 saw a tenth of the rows, most of
        // which v2 trained on: on v3's holdout the champion v2 stays ahead.
        var v1 = await TrainAsync(WeatherData.Months(6, 7, 8));
        var v2 = await TrainAsync(WeatherData.All);
        var v3 = await TrainAsync(WeatherData.Rows((i, _) => i % 10 == 3));

        Assert.True(v1.GetProperty("promoted").GetBoolean());
        Assert.True(v2.GetProperty("promoted").GetBoolean(), v2.GetProperty("reason").GetString());
        Assert.False(v3.GetProperty("promoted").GetBoolean(), v3.GetProperty("reason").GetString());
        var model = await app.Http.GetFromJsonAsync<JsonElement>("api/models/weather-gate");
        Assert.Equal(3, model.GetProperty("versions").GetArrayLength());
        Assert.Equal(2, model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());
        Assert.Equal(2, model.GetProperty("audit").GetArrayLength());

        async Task<JsonElement> TrainAsync(string csv)
        {
            var (status, body) = await app.PostCsvAsync("weather-gate", csv);
            Assert.Equal(202, status);
            var run = await app.WaitForRunAsync(body.GetProperty("runId").GetString()!);
            Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
            return run.GetProperty("output");
        }
    }

    [Fact]
    public async Task TenConcurrentUploads_DistinctData_TenDatasetVersionsAndTenGaplessModelVersions()
    {
        await app.PutProjectAsync("weather-ten", WeatherData.FastSpec);

        var uploads = await Task.WhenAll(Enumerable.Range(0, 10).Select(k => app.PostCsvAsync("weather-ten", WeatherData.Rows((i, _) => i % 10 == k))));

        Assert.All(uploads, u => Assert.Equal(202, u.Status));
        Assert.Equal(Enumerable.Range(1, 10), uploads.Select(u => u.Body.GetProperty("dataset").GetProperty("version").GetInt32()).Order());
        foreach (var (_, body) in uploads)
        {
            var run = await app.WaitForRunAsync(body.GetProperty("runId").GetString()!);
            Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
        }

        var model = await app.Http.GetFromJsonAsync<JsonElement>("api/models/weather-ten");
        Assert.Equal(Enumerable.Range(1, 10), model.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Order());
    }

    [Fact]
    public async Task Storage_AfterARunAndAPrediction_UsesOnlyTheLayoutInfraDeclares()
    {
        await app.PutProjectAsync("weather-layout", WeatherData.FastSpec);
        var (_, upload) = await app.PostCsvAsync("weather-layout", WeatherData.Months(1, 2, 7, 8));
        await app.WaitForRunAsync(upload.GetProperty("runId").GetString()!);
        using var predict = await app.Http.PostAsync("api/models/weather-layout/predict", new StringContent(
            """{"instances":[{"precipitation":1,"temp_max":9,"temp_min":3,"wind":4}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.True(predict.IsSuccessStatusCode);
        await AppHostFixture.EventuallyAsync(async () => await app.Blobs.GetBlobContainerClient("predictions").ExistsAsync() ? "" : null, "the prediction log");

        using var layout = JsonDocument.Parse(File.ReadAllText(Path.Combine(Mlops.Testing.RepoPaths.Root, "infra", "storage-layout.json")));
        var declaredContainers = layout.RootElement.GetProperty("containers").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        var declaredTables = layout.RootElement.GetProperty("tables").EnumerateArray().Select(e => e.GetString()).ToHashSet();
        var hostOwned = new[] { "azure-webjobs-", "webjobs-", "mlopshub" };
        var containers = new List<string>();
        await foreach (var c in app.Blobs.GetBlobContainersAsync(Azure.Storage.Blobs.Models.BlobContainerTraits.None, Azure.Storage.Blobs.Models.BlobContainerStates.None, null, default))
        {
            containers.Add(c.Name);
        }

        var tables = new List<string>();
        await foreach (var t in new Azure.Data.Tables.TableServiceClient(app.Storage).QueryAsync())
        {
            tables.Add(t.Name);
        }

        Assert.DoesNotContain(containers, c => !hostOwned.Any(h => c.StartsWith(h, StringComparison.OrdinalIgnoreCase)) && !declaredContainers.Contains(c));
        Assert.DoesNotContain(tables, t => !t.StartsWith("MlopsHub", StringComparison.Ordinal) && !declaredTables.Contains(t));
        Assert.Contains("runs", containers);
        Assert.Contains("models", tables);
    }

    [Fact]
    public async Task Upload_UnknownProject_404ProblemNamingWhatToDo()
    {
        using var response = await app.Http.PostAsync("api/projects/no-such-project/datasets", new StringContent("a,b\n1,2\n", System.Text.Encoding.UTF8, "text/csv"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PUT /api/projects/no-such-project", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PutProject_BadSpec_400NamesFieldAndRule()
    {
        using var response = await app.Http.PutAsync("api/projects/weather-bad",
            new StringContent("""{"target":"weather","task":"multiclass","holdoutFraction":2}""", System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(400, (int)response.StatusCode);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("holdoutFraction", error.GetProperty("field").GetString());
        Assert.Equal("range", error.GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Routes_InvalidName_400BeforeStorage()
    {
        using var response = await app.Http.GetAsync("api/projects/Bad_Name");

        Assert.Equal(400, (int)response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pattern", problem.GetProperty("errors")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public async Task OpenApi_Document_ListsThePublicRoutes()
    {
        var doc = await app.Http.GetFromJsonAsync<JsonElement>("api/openapi.json");

        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/projects/{project}", "/api/projects/{project}/datasets", "/api/projects/{project}/runs", "/api/runs/{runId}", "/api/models/{name}", "/api/models/{name}/aliases/{alias}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
    }
}
