using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Catalog.Runs;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// The feedback loop through the new host: a model trained on winter days serves summer days, the DriftCheck timer
/// (fired through the host's admin API, as an operator would) finds drift on the temperatures and starts exactly one
/// retraining, which goes through the promotion gate.
/// </summary>
public sealed class MonitoringEndToEndTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    private static readonly string[] Features = ["precipitation", "temp_max", "temp_min", "wind"];

    [Fact]
    public async Task DriftCheck_WinterModelServesSummer_DriftOnTemperaturesAndExactlyOneGatedRetraining()
    {
        const string project = "drift-weather";
        await app.PutProjectAsync(project, WeatherData.FastSpec);
        var (_, upload) = await app.PostCsvAsync(project, WeatherData.Months(12, 1, 2));
        await app.WaitForRunAsync(upload.GetProperty("runId").GetString()!);
        // A second accepted version (and its own run, v2): retraining uses every version.
        var (_, spring) = await app.PostCsvAsync(project, WeatherData.Months(3, 4));
        await app.WaitForRunAsync(spring.GetProperty("runId").GetString()!);

        var summer = Records(WeatherData.Months(6, 7, 8));
        var ids = new List<string>();
        foreach (var batch in summer.Chunk(100))
        {
            using var response = await app.Http.PostAsync($"api/models/{project}/predict",
                new StringContent(JsonSerializer.Serialize(new { dataframe_records = batch }), Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, body.ToString());
            ids.AddRange(body.GetProperty("predictionIds").EnumerateArray().Select(i => i.GetString()!));
        }

        await AppHostFixture.EventuallyAsync(async () =>
        {
            var logged = 0;
            await foreach (var _ in app.Catalog.Predictions.ReadAsync(project, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                logged++;
            }

            return logged >= ids.Count ? "" : null;
        }, "the prediction log to hold every prediction");

        await FireDriftCheckAsync();
        var report = await AppHostFixture.EventuallyAsync<JsonElement?>(async () =>
        {
            var monitoring = await app.Http.GetFromJsonAsync<JsonElement>($"api/models/{project}/monitoring");
            return monitoring.GetProperty("driftReports").GetArrayLength() > 0 ? monitoring.GetProperty("driftReports")[0] : null;
        }, "a drift report");
        Assert.Equal("drift", report!.Value.GetProperty("verdict").GetString());
        var drifted = report.Value.GetProperty("features").EnumerateArray()
            .Where(f => f.GetProperty("verdict").GetString() == "drift").Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Contains("temp_max", drifted);
        Assert.Contains("temp_min", drifted);

        var retraining = await AppHostFixture.EventuallyAsync(async () =>
            (await app.Catalog.Runs.ListAsync(project)).FirstOrDefault(r => r.Trigger == RunTrigger.Drift), "the retraining run");
        var run = await app.WaitForRunAsync(retraining.RunId);
        Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());
        Assert.Equal(3, run.GetProperty("output").GetProperty("version").GetInt32());
        Assert.Equal(report.Value.GetProperty("summary").GetProperty("reportId").GetString(),
            run.GetProperty("run").GetProperty("lineage").GetProperty("triggerReference").GetString());
        Assert.Equal(2, await CountDatasetsInRunAsync(retraining.RunId));

        // The same drift episode seen again starts nothing new.
        await FireDriftCheckAsync();
        await AppHostFixture.EventuallyAsync(async () =>
        {
            var monitoring = await app.Http.GetFromJsonAsync<JsonElement>($"api/models/{project}/monitoring");
            return monitoring.GetProperty("checks").EnumerateArray().Count(c => c.GetProperty("check").GetString() == "drift") > 0 &&
                   monitoring.GetProperty("checks").EnumerateArray().Any(c => c.GetProperty("check").GetString() == "drift" &&
                                                                              c.GetProperty("at").GetDateTimeOffset() > run.GetProperty("run").GetProperty("endedAt").GetDateTimeOffset())
                ? "" : null;
        }, "the second drift check");
        Assert.Single(await app.Catalog.Runs.ListAsync(project), r => r.Trigger == RunTrigger.Drift);
    }

    private async Task FireDriftCheckAsync()
    {
        using var response = await app.Http.PostAsync("admin/functions/DriftCheck", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));
        Assert.Equal(202, (int)response.StatusCode);
    }

    private async Task<int> CountDatasetsInRunAsync(string runId)
    {
        var run = await app.Catalog.Runs.GetAsync(runId);
        return run.Params.TryGetValue("datasetVersions", out var versions) ? versions.Split(',').Length : 0;
    }

    private static List<Dictionary<string, double>> Records(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(','))
            .Select(cells => Features.ToDictionary(f => f, f => double.Parse(cells[Array.IndexOf(header, f)], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }
}
