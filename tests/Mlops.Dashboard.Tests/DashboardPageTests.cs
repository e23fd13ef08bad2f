using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Mlops.Testing;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// Each page of the dashboard in a real browser, as a person uses it: what it shows is checked against the API, the
/// promotion is made with the mouse and checked through the API, and each page is photographed at 1280×800 (see
/// <see cref="Screenshot"/>). Every page must load without a script error in the console.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPageTests(DashboardFixture app)
{
    /// <summary>
    /// Where a screenshot goes: <c>TestResults/dashboard/</c>, or <c>docs/dashboard/</c> (the README's pictures) when
    /// <c>MLOPS_UPDATE_SCREENSHOTS=1</c>, so an ordinary test run leaves the working tree alone.
    /// </summary>
    private static string Screenshot(string name)
    {
        var dir = Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepoPaths.Root, "docs", "dashboard")
            : Path.Combine(RepoPaths.Root, "TestResults", "dashboard");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }

    /// <summary>Opens a page and records its script errors; the caller asserts there were none.</summary>
    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string fragment)
    {
        var page = await app.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add("page error: " + e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add("console: " + m.Text);
            }
        };
        await page.GotoAsync(app.Url(fragment));
        await page.Locator("main:not([aria-busy])").WaitForAsync();
        return (page, errors);
    }

    private static async Task CloseAsync(IPage page, List<string> errors)
    {
        await page.Context.CloseAsync();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ProjectsPage_DemoDataUploaded_ListsProjectWithProductionModelAndDrift()
    {
        var (page, errors) = await OpenAsync("#/");
        var row = page.Locator("tr[data-project='weather']");
        try
        {
            await row.WaitForAsync(new LocatorWaitForOptions { Timeout = 90_000 });
        }
        catch (TimeoutException)
        {
            // Say what the page showed instead (an error's problem details, an empty state) and what the API answers.
            var shown = await page.Locator("main").InnerTextAsync();
            using var api = await app.Http.GetAsync("api/projects");
            Assert.Fail($"no row for 'weather' after 90 s. The page shows: {shown}\nGET /api/projects: {(int)api.StatusCode} {await api.Content.ReadAsStringAsync()}\nConsole: {string.Join(" | ", errors)}");
        }

        var production = (await app.GetJsonAsync("api/models/weather")).GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32();
        Assert.Contains($"weather v{production}", await row.InnerTextAsync());
        Assert.Contains("drift", await row.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Screenshot("projects") });
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task ProjectPage_DatasetVersion_ShowsRowCountsAndHistogramsWithData()
    {
        var datasets = await app.GetJsonAsync("api/projects/weather/datasets");
        var latest = datasets.GetProperty("versions")[0];
        var (page, errors) = await OpenAsync("#/projects/weather");
        await page.Locator("#profile .chart[data-rendered='true']").First.WaitForAsync();
        var text = await page.Locator("main").InnerTextAsync();
        Assert.Contains(latest.GetProperty("rowCount").GetInt64().ToString("N0", CultureInfo.InvariantCulture), text);
        // One chart per column, each drawn with marks (histogram bins or category bars) from the profile.
        var profile = await app.GetJsonAsync($"api/projects/weather/datasets/{latest.GetProperty("sha256").GetString()}/profile");
        var columns = profile.GetProperty("columns").EnumerateArray().Count(c => c.TryGetProperty("numeric", out _) || c.TryGetProperty("categorical", out _));
        Assert.True(columns >= 5, profile.ToString());
        await Assertions.Expect(page.Locator("#profile .chart[data-rendered='true']")).ToHaveCountAsync(columns);
        Assert.True(await page.Locator("#profile [data-column='temp_max'] .chart path, #profile [data-column='temp_max'] .chart rect").CountAsync() > 3);
        // Runs list: status and trigger of every run.
        Assert.Contains("upload", await page.Locator("#runs-section").InnerTextAsync());
        Assert.Contains("drift", await page.Locator("#runs-section").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Screenshot("project") });
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task ProjectPage_QuarantinedUpload_ReportIsReadable()
    {
        var (page, errors) = await OpenAsync($"#/projects/weather?quarantine={app.QuarantinedSha256}");
        var report = page.Locator("#quarantine-detail");
        await report.WaitForAsync();
        var text = await report.InnerTextAsync();
        Assert.Contains("rejected", text);
        Assert.Contains("ragged-row", text);
        await report.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Screenshot("quarantine") });
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task RunPage_FinishedRun_ShowsEveryStageLineageAndAComparisonChartWithPoints()
    {
        var run = (await app.GetJsonAsync($"api/runs/{app.FirstRunId}")).GetProperty("run");
        var stages = run.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
        Assert.Contains("gate", stages);

        var (page, errors) = await OpenAsync($"#/runs/{app.FirstRunId}");
        await page.Locator("#compare[data-rendered='true']").WaitForAsync();
        await page.Locator("#timeline[data-rendered='true']").WaitForAsync();
        foreach (var stage in stages)
        {
            await Assertions.Expect(page.Locator($"#stages tr[data-stage='{stage}']")).ToHaveCountAsync(1);
        }

        // The comparison chart has one bar per candidate; the timeline one bar per stage.
        var candidates = run.GetProperty("candidates").GetArrayLength();
        Assert.Equal(candidates, await page.Locator("#compare .mark-rect.role-mark path").CountAsync());
        Assert.Equal(stages.Count, await page.Locator("#timeline .mark-rect.role-mark path").CountAsync());
        Assert.Equal(run.GetProperty("lineage").GetProperty("datasetSha256").GetString(), await page.Locator("[data-testid='dataset-sha']").InnerTextAsync());
        Assert.Equal(run.GetProperty("lineage").GetProperty("codeVersion").GetString(), await page.Locator("[data-testid='code-version']").InnerTextAsync());

        // Sorting is URL state: a click changes the fragment, and the link can be shared.
        await page.Locator("th button", new() { HasText = "Trainer" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("sort=trainer", StringComparison.Ordinal));
        await page.Locator("th[aria-sort='ascending']", new() { HasText = "Trainer" }).WaitForAsync();
        await page.Locator("#compare[data-rendered='true']").WaitForAsync();
        var trainers = await page.Locator("#candidates-table tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(trainers.Order(StringComparer.Ordinal), trainers);
        await page.ScreenshotAsync(new() { Path = Screenshot("run") });
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task RunPage_ColdLoad_PageWeightAndTimeToFirstRender()
    {
        // A fresh browser context: nothing cached. Figures are written next to the screenshots and in bench/RESULTS.md.
        var (page, errors) = await OpenAsync($"#/runs/{app.FirstRunId}");
        await page.Locator("#compare[data-rendered='true']").WaitForAsync();
        await page.Locator("#timeline[data-rendered='true']").WaitForAsync();
        var figures = await page.EvaluateAsync<JsonElement>("""
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource');
              const sum = (k) => res.reduce((a, r) => a + r[k], nav[k]);
              const fcp = performance.getEntriesByName('first-contentful-paint')[0];
              return { requests: res.length + 1, transferBytes: sum('transferSize'), decodedBytes: sum('decodedBodySize'),
                       firstContentfulPaintMs: fcp ? fcp.startTime : null, domContentLoadedMs: nav.domContentLoadedEventEnd,
                       chartsRenderedMs: performance.now() };
            }
            """);
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var line = $"{DateTime.UtcNow:yyyy-MM-dd} run page, cold cache: {figures.GetProperty("requests")} requests, " +
                   $"{figures.GetProperty("transferBytes").GetDouble() / 1024:F0} KiB transferred ({figures.GetProperty("decodedBytes").GetDouble() / 1024:F0} KiB decoded), " +
                   $"first contentful paint {figures.GetProperty("firstContentfulPaintMs")} ms, DOMContentLoaded {figures.GetProperty("domContentLoadedMs").GetDouble():F0} ms, " +
                   $"stages and charts rendered {figures.GetProperty("chartsRenderedMs").GetDouble():F0} ms (load average {load})";
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(Screenshot("run"))!, "run-page-figures.txt"), line + "\n");
        Assert.True(figures.GetProperty("transferBytes").GetDouble() > 0, line);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task RunPage_RunningPipeline_RefreshesWithoutReload()
    {
        using var started = await app.Http.PostAsync("api/projects/weather/runs", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(202, (int)started.StatusCode);
        var runId = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("runId").GetString()!;
        var (page, errors) = await OpenAsync($"#/runs/{runId}");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        Assert.Contains("Auto-refresh", await page.Locator("#refresh-state").InnerTextAsync());
        await Assertions.Expect(page.Locator("h1 .badge").First).ToHaveTextAsync("succeeded", new() { Timeout = 300_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded instead of refreshing its data");
        await Assertions.Expect(page.Locator("#stages tr[data-stage='gate']")).ToHaveCountAsync(1);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task RegistryPage_PromoteWithConfirmation_MovesTheAliasAndAuditsIt()
    {
        var model = await app.GetJsonAsync("api/models/weather");
        var production = model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32();
        var target = model.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).First(v => v != production);

        var (page, errors) = await OpenAsync("#/models/weather");
        await page.Locator("#model-card").WaitForAsync();
        Assert.Contains("gate", (await page.Locator("#versions").InnerTextAsync()).ToLowerInvariant());
        await page.ScreenshotAsync(new() { Path = Screenshot("registry") });

        // Cancel first: nothing moves.
        await page.Locator($"button[data-move='{target}']").ClickAsync();
        await page.Locator("dialog#confirm[open]").WaitForAsync();
        await page.Locator("dialog#confirm button[value='cancel']").ClickAsync();
        Assert.Equal(production, (await app.GetJsonAsync("api/models/weather")).GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());

        // Then confirm, from the keyboard.
        await page.Locator($"button[data-move='{target}']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("dialog#confirm[open]").WaitForAsync();
        await page.Locator("#confirm-reason").FillAsync("promoted in the browser test");
        await page.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToContainTextAsync($"v{target}");

        var after = await app.GetJsonAsync("api/models/weather");
        Assert.Equal(target, after.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32());
        Assert.Contains(after.GetProperty("audit").EnumerateArray(), e => e.GetProperty("reason").GetString() == "promoted in the browser test" && e.GetProperty("toVersion").GetInt32() == target);
        await Assertions.Expect(page.Locator("#aliases [data-alias='production']")).ToContainTextAsync($"v{target}");
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task MonitoringPage_AfterDriftCheck_DrawsDriftOverTimeWithThresholdAndRetraining()
    {
        var (page, errors) = await OpenAsync("#/models/weather/monitoring");
        await page.Locator("#psi-chart[data-rendered='true']").WaitForAsync();
        await page.Locator("#p-chart[data-rendered='true']").WaitForAsync();
        // A point per feature and report, a threshold rule, a retraining rule.
        var monitoring = await app.GetJsonAsync("api/models/weather/monitoring?reports=50");
        var points = monitoring.GetProperty("driftReports").EnumerateArray().Sum(r => r.GetProperty("features").EnumerateArray().Count(f => f.TryGetProperty("psi", out _)));
        Assert.True(points >= 4, monitoring.ToString());
        Assert.Equal(points, await page.Locator("#psi-chart .mark-symbol.role-mark path").CountAsync());
        Assert.True(await page.Locator("#psi-chart .mark-rule.role-mark line").CountAsync() >= 2);
        var table = await page.Locator("#drift-features").InnerTextAsync();
        Assert.Contains("temp_max", table);
        Assert.Contains("drift retrain", await page.Locator("main").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Screenshot("monitoring") });

        // Live quality: a point per window of feedback joined to predictions.
        var windows = (await app.GetJsonAsync("api/models/weather/monitoring")).GetProperty("qualityWindows").GetArrayLength();
        Assert.True(windows >= 1, "the drift checks computed no quality window");
        await page.Locator("#quality-chart[data-rendered='true']").WaitForAsync();
        Assert.Equal(windows, await page.Locator("#quality-chart .mark-symbol.role-mark path").CountAsync());
        await page.Locator("#quality-chart").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Screenshot("monitoring-quality") });

        // The feature filter is URL state.
        await page.Locator(".tabs a", new() { HasText = "temp_max" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("feature=temp_max", StringComparison.Ordinal));
        await page.Locator(".tabs a[aria-current='page']", new() { HasText = "temp_max" }).WaitForAsync();
        await page.Locator("#psi-chart[data-rendered='true']").WaitForAsync();
        // One feature now: a point per drift report.
        var reports = (await app.GetJsonAsync("api/models/weather/monitoring?reports=50")).GetProperty("driftReports").GetArrayLength();
        Assert.Equal(reports, await page.Locator("#psi-chart .mark-symbol.role-mark path").CountAsync());
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task PredictPage_FormFromSignature_ReturnsAPrediction()
    {
        var model = await app.GetJsonAsync("api/models/weather");
        var production = model.GetProperty("aliases").GetProperty("production").GetProperty("version").GetInt32();
        var version = model.GetProperty("versions").EnumerateArray().First(v => v.GetProperty("version").GetInt32() == production);
        var inputs = version.GetProperty("card").GetProperty("signature").GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToList();
        var classes = version.GetProperty("card").GetProperty("signature").GetProperty("classLabels").EnumerateArray().Select(c => c.GetString()!).ToList();

        var (page, errors) = await OpenAsync("#/models/weather/predict");
        foreach (var input in inputs)
        {
            await Assertions.Expect(page.Locator($"#predict-form [name='{input}']")).ToHaveCountAsync(1);
        }

        await page.Locator("#predict-form [name='temp_max']").FillAsync("31.1");
        await page.Locator("#predict-form [name='precipitation']").FillAsync("0");
        await page.Locator("#predict-submit").ClickAsync();
        var value = page.Locator("#prediction-value");
        await value.WaitForAsync();
        Assert.Contains(await value.InnerTextAsync(), classes);
        await page.ScreenshotAsync(new() { Path = Screenshot("predict") });

        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task ProjectPage_MarkupInColumnAndFileNames_IsShownAsTextNeverRun()
    {
        // Names that reach the page come from uploads: a column header and the file name.
        const string evil = "<img src=x onerror=window.__xss=1>";
        const string project = "escaping";
        using (var put = await app.Http.PutAsync($"api/projects/{project}", new StringContent("""{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm"],"search":{"maxCandidates":1}}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var csv = Weather.Months(1, 2).Replace("wind", evil, StringComparison.Ordinal);
        using (var upload = await app.Http.PostAsync($"api/projects/{project}/datasets?fileName={Uri.EscapeDataString("<b onmouseover=window.__xss=2>x</b>.csv")}",
                   new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.True((int)upload.StatusCode is 202 or 422, await upload.Content.ReadAsStringAsync());
        }

        var (page, errors) = await OpenAsync($"#/projects/{project}");
        await page.Locator("#profile h3").First.WaitForAsync();
        Assert.Contains(evil, await page.Locator("main").InnerTextAsync());
        Assert.Equal(0, await page.Locator("main img, main b").CountAsync());
        await page.Locator("#profile .chart[data-rendered='true']").First.WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task UnknownProject_ShowsTheProblemDetailsMessage()
    {
        var (page, errors) = await OpenAsync("#/projects/no-such-project");
        var error = page.Locator("main .error");
        await error.WaitForAsync();
        Assert.Contains("404", await error.InnerTextAsync());
        Assert.Contains("no-such-project", await error.InnerTextAsync());
        await page.Context.CloseAsync();
        // The failed fetch itself is logged by the browser; nothing else may be.
        Assert.All(errors, e => Assert.Contains("404", e));
    }
}
