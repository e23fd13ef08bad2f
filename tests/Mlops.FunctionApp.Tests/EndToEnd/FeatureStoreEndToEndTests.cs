using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Testing;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// The feature store through the host, on flights-20k: a view with a 7-day rolling mean delay per origin, a model
/// trained on it (joined point in time, with a planted future value that must not leak), predictions that send only
/// origin and distance, re-materialisation that changes nothing, the schedule timer and a stream source.
/// </summary>
public sealed class FeatureStoreEndToEndTests(AppHostFixture app) : IClassFixture<AppHostFixture>
{
    private const string DateFormat = "yyyy/MM/dd HH:mm";

    /// <summary>
    /// flights-20k with every date moved by whole weeks so its last day is within the week before today: the online
    /// store's freshness is measured against now, and the data is from 2001. Rows, order and gaps are untouched.
    /// </summary>
    private static List<(DateTime Date, double Delay, double Distance, string Origin, string Destination)> RedatedFlights()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Dataset("flights-20k.json")));
        var rows = doc.RootElement.EnumerateArray().Select(e => (
            Date: DateTime.ParseExact(e.GetProperty("date").GetString()!, DateFormat, CultureInfo.InvariantCulture),
            Delay: e.GetProperty("delay").GetDouble(), Distance: e.GetProperty("distance").GetDouble(),
            Origin: e.GetProperty("origin").GetString()!, Destination: e.GetProperty("destination").GetString()!)).ToList();
        var last = rows.Max(r => r.Date).Date;
        var weeks = (int)((DateTime.UtcNow.Date.AddDays(-1) - last).TotalDays / 7);
        return rows.Select(r => r with { Date = r.Date.AddDays(weeks * 7) }).ToList();
    }

    private static string Csv(IEnumerable<(DateTime Date, double Delay, double Distance, string Origin, string Destination)> rows)
    {
        var sb = new StringBuilder("date,delay,distance,origin,destination\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Date.ToString(DateFormat, CultureInfo.InvariantCulture)},{r.Delay},{r.Distance},{r.Origin},{r.Destination}\n");
        }

        return sb.ToString();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await app.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement> WaitForInstanceAsync(string statusUri) =>
        await AppHostFixture.EventuallyAsync<JsonElement?>(async () =>
        {
            var status = await app.Http.GetFromJsonAsync<JsonElement>(statusUri);
            return status.GetProperty("runtimeStatus").GetString() is "Completed" or "Failed" or "Terminated" ? status : null;
        }, statusUri) ?? throw new InvalidOperationException("unreachable");

    private async Task<JsonElement> WaitForMaterializationsAsync(string project, string view, int count) =>
        await AppHostFixture.EventuallyAsync<JsonElement?>(async () =>
        {
            var (status, body) = await SendAsync(HttpMethod.Get, $"api/projects/{project}/features/{view}");
            return status == HttpStatusCode.OK && body.GetProperty("materializations").GetArrayLength() >= count ? body : null;
        }, $"{count} materialisation(s) of {view}") ?? throw new InvalidOperationException("unreachable");

    [Fact]
    public async Task FeatureView_TrainsPointInTime_ServesFromOnlineStore_AndRematerializesIdempotently()
    {
        const string project = "fsflights";
        const string view = "fs-delays";
        var flights = RedatedFlights();
        // A planted future value: one DTW flight delayed 99,999 minutes, in the middle of the data.
        var planted = flights.Where(f => f.Origin == "DTW").OrderBy(f => f.Date).ElementAt(200).Date.AddMinutes(1);
        flights.Add((planted, 99_999, 500, "DTW", "ORD"));

        await app.PutProjectAsync(project, $$"""
            {"target": "delay", "task": "regression", "ignore": ["date", "destination"], "trainers": ["lightgbm"], "search": {"maxCandidates": 1},
             "featureViews": ["{{view}}"], "retrain": {"schedule": null} }
            """);
        var badView = await SendAsync(HttpMethod.Put, $"api/projects/{project}/features/{view}",
            """{"entities": ["origin"], "timestamp": "date", "source": {"project": "fsflights"}, "features": [{"name": "m", "column": "delay", "aggregate": "avg", "window": "P7D"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badView.Status);
        Assert.Contains(badView.Body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "features[0].aggregate");
        var put = await SendAsync(HttpMethod.Put, $"api/projects/{project}/features/{view}", $$"""
            {"entities": ["origin"], "timestamp": "date", "source": {"project": "{{project}}"}, "ttl": "P30D",
             "features": [{"name": "delay_mean_7d", "column": "delay", "aggregate": "mean", "window": "P7D", "fill": 0},
                          {"name": "delay_prev", "column": "delay", "lag": 1}]}
            """);
        Assert.Equal(HttpStatusCode.Created, put.Status);

        var (uploadStatus, upload) = await app.PostCsvAsync(project, Csv(flights));
        Assert.Equal(202, uploadStatus);
        var run = await app.WaitForRunAsync(upload.GetProperty("runId").GetString()!, TimeSpan.FromMinutes(8));
        Assert.Equal("Completed", run.GetProperty("runtimeStatus").GetString());

        // Lineage: the run names the view, its version and the manifest it joined.
        var featureParams = run.GetProperty("run").GetProperty("params").GetProperty("featureView." + view).GetString()!;
        Assert.Matches("^v1; materialization [0-9a-f]{12}; manifest features/fsflights/fs-delays/v1/manifests/[0-9a-f]{64}\\.json; columns delay_mean_7d,delay_prev;", featureParams);

        // The training set the model saw: no DTW row before the planted flight carries it; later rows within 7 days do.
        var trainingSet = (await app.Blobs.GetBlobContainerClient("runs").GetBlobClient($"{upload.GetProperty("runId").GetString()}/data.csv").DownloadContentAsync())
            .Value.Content.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = trainingSet[0].Split(',').ToList();
        int Col(string name) => header.IndexOf(name) is var i and >= 0 ? i : throw new InvalidOperationException($"no column {name} in {trainingSet[0]}");
        var dtw = trainingSet.Skip(1).Select(l => l.Split(',')).Where(f => f[Col("origin")] == "DTW")
            .Select(f => (Date: DateTime.ParseExact(f[Col("date")], DateFormat, CultureInfo.InvariantCulture), Mean: double.Parse(f[Col("delay_mean_7d")], CultureInfo.InvariantCulture),
                Prev: f[Col("delay_prev")])).ToList();
        Assert.Contains(dtw, r => r.Date < planted);
        Assert.All(dtw.Where(r => r.Date <= planted), r => Assert.True(r.Mean < 2_000 && r.Prev != "99999", $"the DTW row at {r.Date:O} sees the planted future delay"));
        Assert.Contains(dtw, r => r.Date > planted && r.Date < planted.AddDays(7) && r.Mean > 2_000);

        // Online: the upload's materialisation fills the store; DTW flew in the last week, DRO not since January (2001).
        var materialized = await WaitForMaterializationsAsync(project, view, 1);
        Assert.Equal(flights.Count, materialized.GetProperty("materializations")[0].GetProperty("rows").GetInt64());
        var (lookupStatus, lookup) = await SendAsync(HttpMethod.Get, $"api/features/{view}/DTW");
        Assert.Equal(HttpStatusCode.OK, lookupStatus);
        Assert.False(lookup.GetProperty("stale").GetBoolean());
        var dtwLast = flights.Where(f => f.Origin == "DTW").Max(f => f.Date);
        Assert.Equal(new DateTimeOffset(dtwLast, TimeSpan.Zero), lookup.GetProperty("eventTime").GetDateTimeOffset());

        // Predict with only origin and distance: the rest comes from the online store, and the response says so.
        var (predictStatus, prediction) = await SendAsync(HttpMethod.Post, $"api/models/{project}/predict",
            """{"instances": [{"origin": "DTW", "distance": 1000}, {"origin": "DTW", "distance": 1000, "delay_mean_7d": 5}, {"origin": "DRO", "distance": 300, "delay_prev": 5}]}""");
        Assert.True(predictStatus == HttpStatusCode.OK, prediction.ToString());
        var sources = prediction.GetProperty("featureSources");
        Assert.Equal("store", sources[0].GetProperty("delay_mean_7d").GetString());
        Assert.Equal("store", sources[0].GetProperty("delay_prev").GetString());
        Assert.Equal("request", sources[1].GetProperty("delay_mean_7d").GetString());
        Assert.Equal("fill", sources[2].GetProperty("delay_mean_7d").GetString());
        Assert.Equal(3, prediction.GetProperty("predictions").GetArrayLength());

        // DRO's values are stale and delay_prev has no fill: a 400 naming the entity and the view. An unknown airport: 404.
        var stale = await SendAsync(HttpMethod.Post, $"api/models/{project}/predict", """{"instances": [{"origin": "DRO", "distance": 300, "delay_mean_7d": 1}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, stale.Status);
        Assert.Contains("'DRO'", stale.Body.GetProperty("detail").GetString());
        Assert.Contains(view, stale.Body.GetProperty("detail").GetString());
        var unknown = await SendAsync(HttpMethod.Post, $"api/models/{project}/predict", """{"instances": [{"origin": "ZZZ", "distance": 300}]}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Contains("'ZZZ'", unknown.Body.GetProperty("detail").GetString());
        Assert.Contains(view, unknown.Body.GetProperty("detail").GetString());

        // Drift monitoring sees the store-served values: the log keeps the filled rows, and the drift report covers them.
        var fresh = flights.GroupBy(f => f.Origin).Where(g => g.Count() >= 3 && g.Max(f => f.Date) > DateTime.UtcNow.AddDays(-20)).Select(g => g.Key).Take(60).ToList();
        var batch = Enumerable.Range(0, 80).Select(i => new { origin = fresh[i % fresh.Count], distance = 200 + (i * 37 % 2000) }).ToList();
        var (batchStatus, batchBody) = await SendAsync(HttpMethod.Post, $"api/models/{project}/predict", JsonSerializer.Serialize(new { instances = batch }));
        Assert.True(batchStatus == HttpStatusCode.OK, batchBody.ToString());
        var loggedIds = batchBody.GetProperty("predictionIds").EnumerateArray().Select(i => i.GetString()!).ToHashSet();
        var logged = await AppHostFixture.EventuallyAsync(async () =>
        {
            var records = new List<Mlops.Catalog.Monitoring.PredictionRecord>();
            await foreach (var record in app.Catalog.Predictions.ReadAsync(project, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)))
            {
                if (loggedIds.Contains(record.PredictionId))
                {
                    records.Add(record);
                }
            }

            return records.Count == loggedIds.Count ? records : null;
        }, "the prediction log");
        Assert.All(logged, r => Assert.Equal(JsonValueKind.Number, r.Inputs["delay_mean_7d"].ValueKind));
        using (var fire = await app.Http.PostAsync("admin/functions/DriftCheck", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(fire.IsSuccessStatusCode);
        }

        var drift = await AppHostFixture.EventuallyAsync<JsonElement?>(async () =>
        {
            var monitoring = await app.Http.GetFromJsonAsync<JsonElement>($"api/models/{project}/monitoring");
            return monitoring.GetProperty("driftReports").GetArrayLength() > 0 ? monitoring.GetProperty("driftReports")[0] : null;
        }, "a drift report");
        Assert.Contains(drift!.Value.GetProperty("features").EnumerateArray(), f => f.GetProperty("name").GetString() == "delay_mean_7d");

        // The historical API is the join training used.
        var (histStatus, historical) = await SendAsync(HttpMethod.Post, $"api/features/{view}/historical",
            $$"""{"rows": [{"origin": "DTW", "date": "{{planted.AddMinutes(-1):yyyy-MM-ddTHH:mm:ss}}"}, {"origin": "DTW", "date": "{{planted.AddDays(1):yyyy-MM-ddTHH:mm:ss}}"}]}""");
        Assert.Equal(HttpStatusCode.OK, histStatus);
        Assert.True(historical.GetProperty("rows")[0].GetProperty("delay_mean_7d").GetDouble() < 2_000);
        Assert.True(historical.GetProperty("rows")[1].GetProperty("delay_mean_7d").GetDouble() > 2_000);

        // Re-materialising the same data: the same materialisation, no online write, nothing new listed.
        var (again, started) = await SendAsync(HttpMethod.Post, $"api/projects/{project}/features/{view}/materialize");
        Assert.Equal(HttpStatusCode.Accepted, again);
        var output = (await WaitForInstanceAsync(started.GetProperty("status").GetProperty("statusQueryGetUri").GetString()!)).GetProperty("output");
        Assert.Equal(0, output.GetProperty("onlineWritten").GetInt32());
        Assert.Equal(materialized.GetProperty("materializations")[0].GetProperty("materializationId").GetString(), output.GetProperty("materializationId").GetString());
        var after = await SendAsync(HttpMethod.Get, $"api/projects/{project}/features/{view}");
        Assert.Equal(materialized.GetProperty("materializations").ToString(), after.Body.GetProperty("materializations").ToString());
        var relookup = (await SendAsync(HttpMethod.Get, $"api/features/{view}/DTW")).Body;
        foreach (var member in new[] { "eventTime", "materializationId", "values" })
        {
            Assert.Equal(lookup.GetProperty(member).ToString(), relookup.GetProperty(member).ToString());
        }
    }

    [Fact]
    public async Task StreamSource_ScheduledByTimer_AndRematerializedAfterEachUpload()
    {
        await app.PutProjectAsync("fsweather", """{"target": "weather", "task": "multiclass"}""");
        var first = await SendAsync(HttpMethod.Post, "api/feature-sources/fs-temps/data",
            """[{"airport": "DTW", "at": "2026-01-01T10:00:00Z", "temp": 3.5}, {"airport": "LAS", "at": "2026-01-01T10:00:00Z", "temp": 20}]""");
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        var put = await SendAsync(HttpMethod.Put, "api/projects/fsweather/features/fs-temp", """
            {"entities": ["airport"], "timestamp": "at", "source": {"stream": "fs-temps"}, "schedule": "* * * * * *",
             "features": [{"name": "temp", "column": "temp"}, {"name": "temp_f", "expression": "temp * 9 / 5 + 32"}]}
            """);
        Assert.Equal(HttpStatusCode.Created, put.Status);

        // The one feature timer materialises every view whose own schedule is due.
        await AppHostFixture.EventuallyAsync<object>(async () => (await SendAsync(HttpMethod.Get, "api/projects/fsweather/features/fs-temp")).Status == HttpStatusCode.OK ? new object() : null, "the view");
        // The view's every-second schedule is due from the first second after its creation: fire until it has run.
        await AppHostFixture.EventuallyAsync<object>(async () =>
        {
            using var fire = await app.Http.PostAsync("admin/functions/FeatureSchedule", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));
            Assert.True(fire.IsSuccessStatusCode);
            var (_, body) = await SendAsync(HttpMethod.Get, "api/projects/fsweather/features/fs-temp");
            return body.GetProperty("materializations").GetArrayLength() > 0 ? new object() : null;
        }, "the schedule timer to materialise the view");
        await WaitForMaterializationsAsync("fsweather", "fs-temp", 1);
        var dtw = await SendAsync(HttpMethod.Get, "api/features/fs-temp/DTW");
        Assert.Equal(38.3, dtw.Body.GetProperty("values").GetProperty("temp_f").GetDouble(), 9);

        // A new upload to the stream materialises the views that read it; the online value moves forward.
        var second = await SendAsync(HttpMethod.Post, "api/feature-sources/fs-temps/data", """[{"airport": "DTW", "at": "2026-01-02T10:00:00Z", "temp": 10}]""");
        Assert.Equal(HttpStatusCode.Accepted, second.Status);
        Assert.Equal("fs-temp", second.Body.GetProperty("materializations")[0].GetProperty("view").GetString());
        await WaitForMaterializationsAsync("fsweather", "fs-temp", 2);
        await AppHostFixture.EventuallyAsync<object>(async () =>
            (await SendAsync(HttpMethod.Get, "api/features/fs-temp/DTW")).Body.GetProperty("values").GetProperty("temp").GetDouble() == 10 ? new object() : null, "DTW's new value");
    }

    [Fact]
    public async Task OpenApi_DescribesTheFeatureRoutes()
    {
        var paths = (await app.Http.GetFromJsonAsync<JsonElement>("api/openapi.json")).GetProperty("paths");

        foreach (var path in new[] { "/api/projects/{project}/features/{view}", "/api/projects/{project}/features/{view}/materialize", "/api/features/{view}/historical",
                     "/api/features/{view}/{entity}", "/api/feature-sources/{source}/data" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
    }
}
