using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Mlops.Catalog;
using Mlops.Testing;
using Mlops.WorkerHost;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// The dashboard as a person meets it after <c>tools/demo</c>: a real Azurite, the app under the local Functions host
/// (<see cref="FunctionsHost"/>, as in the FunctionApp end-to-end tests), the demo data uploaded through the API
/// (a winter model, a spring upload that trains v2, a broken upload in quarantine, summer traffic with feedback, a
/// drift check fired through the admin API and the retraining it starts), and Debian's chromium driven by Playwright.
/// One per test run (a collection fixture): the scenario takes minutes, the pages only read it.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Where Debian's package puts the browser; tools/setup installs it.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    public const string Project = "weather";

    private const string Spec = """{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm","sdca"],"search":{"maxCandidates":2}}""";

    private static readonly string[] Features = ["precipitation", "temp_max", "temp_min", "wind"];

    private AzuriteInstance? _azurite;
    private RunningFunctionsHost? _host;
    private IPlaywright? _playwright;

    public HttpClient Http { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The dashboard's URL: <c>http://127.0.0.1:PORT/api/ui/</c>.</summary>
    public Uri DashboardUri => new(_host!.BaseUri, "api/ui/");

    /// <summary>The run of the first upload (winter data; v1, promoted).</summary>
    public string FirstRunId { get; private set; } = "";

    /// <summary>sha256 of the broken upload kept in quarantine.</summary>
    public string QuarantinedSha256 { get; private set; } = "";

    /// <summary>The retraining run the drift check started.</summary>
    public string DriftRunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        // Fail loudly, never skip: the browser is part of the project's install step.
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run tools/setup (it installs Debian's chromium package for the dashboard's browser tests).");
        }

        _azurite = await AzuriteInstance.StartAsync();
        var scriptRoot = Path.Combine(RepoPaths.Root, "src", "Mlops.FunctionApp", "bin", RepoPaths.Configuration, "net10.0");
        if (!File.Exists(Path.Combine(scriptRoot, "dashboard", "index.html")))
        {
            throw new InvalidOperationException($"{scriptRoot}/dashboard is missing: build src/Mlops.FunctionApp after npm ci (tools/setup).");
        }

        var options = new FunctionsHostOptions
        {
            ScriptRoot = scriptRoot,
            Port = 0,
            BlobScanInterval = TimeSpan.FromMilliseconds(250),
            MaxQueuePollInterval = TimeSpan.FromMilliseconds(100),
            HostId = "ui-" + Guid.NewGuid().ToString("N")[..8],
            Output = TextWriter.Null,
        };
        options.Environment["AzureWebJobsStorage"] = _azurite.ConnectionString;
        options.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        // Timers only when the test fires them through the admin API.
        options.Environment["MLOPS_DRIFT_SCHEDULE"] = "0 0 0 1 1 *";
        options.Environment["MLOPS_RETRAIN_CHECK_SCHEDULE"] = "0 0 0 1 1 *";
        options.Environment["MLOPS_MONITORING_SETTLE_SECONDS"] = "0";
        _host = await FunctionsHost.StartAsync(options);
        Http = new HttpClient { BaseAddress = _host.BaseUri, Timeout = TimeSpan.FromMinutes(2) };

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });

        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>A fresh page at 1280×800 (the screenshots' size).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>The dashboard URL of a client-side route, e.g. <c>#/runs/ID</c>.</summary>
    public string Url(string fragment) => DashboardUri + fragment;

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Waits for a run's orchestration to finish; returns GET /api/runs/{id}.</summary>
    public async Task<JsonElement> WaitForRunAsync(string runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (true)
        {
            using var response = await Http.GetAsync($"api/runs/{runId}");
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.TryGetProperty("runtimeStatus", out var s) && s.GetString() is "Completed" or "Failed" or "Terminated")
                {
                    Assert.True(s.GetString() == "Completed", $"run {runId} ended {s.GetString()}: {body}");
                    return body;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not finish in time");
            await Task.Delay(300);
        }
    }

    private async Task SeedAsync()
    {
        using (var put = await Http.PutAsync($"api/projects/{Project}", new StringContent(Spec, Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var (_, winter) = await PostCsvAsync(Weather.Months(12, 1, 2), 202);
        FirstRunId = winter.GetProperty("runId").GetString()!;
        await WaitForRunAsync(FirstRunId);

        // A broken upload: ragged rows and text in a number column. It is rejected and kept in quarantine.
        var broken = string.Join('\n', Weather.Months(3).Split('\n').Select((line, i) =>
            i is 3 or 7 ? string.Join(',', line.Split(',').Take(4)) : i is 5 ? line.Replace(",", ",warm,", StringComparison.Ordinal) : line));
        var (_, rejected) = await PostCsvAsync(broken, 422);
        QuarantinedSha256 = rejected.GetProperty("dataset").GetProperty("sha256").GetString()!;

        var (_, spring) = await PostCsvAsync(Weather.Months(3, 4), 202);
        await WaitForRunAsync(spring.GetProperty("runId").GetString()!);

        // Summer traffic on the winter-and-spring model, a month at a time, with ground truth for it, and a drift
        // check after each month (fired through the admin API, as an operator would): drift and live quality over time.
        var catalog = CatalogServices.FromConnectionString(_azurite!.ConnectionString);
        var served = 0;
        for (var month = 6; month <= 8; month++)
        {
            var rows = Weather.Records(Weather.Months(month), Features);
            served += await ServeWithFeedbackAsync(rows);
            await WaitForPredictionLogAsync(catalog, served);
            var firedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            using (var fired = await Http.PostAsync("admin/functions/DriftCheck", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(202, (int)fired.StatusCode);
            }

            // Wait for this check's outcome, whatever it is: once a drift retraining has promoted a new version, the
            // next check rightly finds too few rows of that version and stores no report.
            await EventuallyAsync(async () =>
                (await GetJsonAsync($"api/models/{Project}/monitoring")).GetProperty("checks").EnumerateArray()
                    .Any(c => c.GetProperty("check").GetString() == "drift" && c.GetProperty("at").GetDateTimeOffset() >= firedAt),
                $"the drift check after month {month}");
        }

        var reports = (await GetJsonAsync($"api/models/{Project}/monitoring")).GetProperty("driftReports").GetArrayLength();
        Assert.True(reports >= 2, $"the summer traffic gave {reports} drift report(s); the monitoring page needs at least two to draw over time");

        await EventuallyAsync(async () =>
        {
            var runs = await GetJsonAsync($"api/projects/{Project}/runs");
            DriftRunId = runs.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("trigger").GetString() == "drift")
                .Select(r => r.GetProperty("runId").GetString()!).FirstOrDefault() ?? "";
            return DriftRunId.Length > 0;
        }, "the retraining the drift check starts");
        await WaitForRunAsync(DriftRunId);
    }

    private async Task<int> ServeWithFeedbackAsync(List<(Dictionary<string, double> Features, string Label)> rows)
    {
        var feedback = new List<object>();
        foreach (var batch in rows.Chunk(100))
        {
            using var response = await Http.PostAsync($"api/models/{Project}/predict",
                new StringContent(JsonSerializer.Serialize(new { dataframe_records = batch.Select(b => b.Features) }), Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            var ids = body.GetProperty("predictionIds").EnumerateArray().Select(e => e.GetString()!).ToList();
            feedback.AddRange(ids.Select((id, i) => new { predictionId = id, actual = batch[i].Label }));
        }

        using var posted = await Http.PostAsync($"api/models/{Project}/feedback", new StringContent(JsonSerializer.Serialize(feedback), Encoding.UTF8, "application/json"));
        Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        return rows.Count;
    }

    /// <summary>Serving writes its log in batches; a drift check needs it complete.</summary>
    private static Task WaitForPredictionLogAsync(CatalogServices catalog, int count) =>
        EventuallyAsync(async () =>
        {
            var logged = 0;
            await foreach (var _ in catalog.Predictions.ReadAsync(Project, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                logged++;
            }

            return logged >= count;
        }, $"{count} predictions in the log");

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(250);
        }
    }

    private async Task<(int Status, JsonElement Body)> PostCsvAsync(string csv, int expected)
    {
        using var response = await Http.PostAsync($"api/projects/{Project}/datasets", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"upload: expected {expected}, got {(int)response.StatusCode}: {text}");
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>seattle-weather.csv from vega-datasets, by month.</summary>
internal static class Weather
{
    private static readonly Lazy<string[]> Lines = new(() => File.ReadAllLines(RepoPaths.Dataset("seattle-weather.csv")));

    public static string Months(params int[] months) =>
        Lines.Value[0] + "\n" + string.Join('\n', Lines.Value.Skip(1).Where(l => months.Contains(int.Parse(l.AsSpan(5, 2), CultureInfo.InvariantCulture)))) + "\n";

    public static List<(Dictionary<string, double> Features, string Label)> Records(string csv, string[] features)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(','))
            .Select(cells => (features.ToDictionary(f => f, f => double.Parse(cells[Array.IndexOf(header, f)], CultureInfo.InvariantCulture)),
                cells[Array.IndexOf(header, "weather")]))
            .ToList();
    }
}
