using Mlops.Catalog.Monitoring;
using Mlops.Storage;
using Mlops.Testing;

namespace Mlops.Catalog.Tests.Monitoring;

[Collection(AzuriteCollection.Name)]
public sealed class MonitoringStoreTests(AzuriteFixture azurite)
{
    private readonly CatalogServices _catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);

    private static PredictionRecord Prediction(string model, string id, DateTimeOffset time, double temp) =>
        new(id, model, 1, time, new Dictionary<string, System.Text.Json.JsonElement> { ["temp_max"] = Samples.Json(temp.ToString(System.Globalization.CultureInfo.InvariantCulture)) }, Samples.Json("\"sun\""));

    [Fact]
    public async Task PredictionLog_TwoInstancesOverHours_ReadsBackExactlyTheWindow()
    {
        var model = Samples.Name("pred");
        var t0 = DateTimeOffset.Parse("2025-03-01T23:30:00Z");
        var a = new PredictionLog(_catalog.Account.Blobs, "instance-a");
        var b = new PredictionLog(_catalog.Account.Blobs, "instance-b");

        await a.AppendAsync([Prediction(model, "p1", t0, 1), Prediction(model, "p2", t0.AddMinutes(40), 2)]);
        await b.AppendAsync([Prediction(model, "p3", t0.AddMinutes(50), 3), Prediction(model, "p4", t0.AddHours(3), 4)]);

        var window = await a.ReadAsync(model, t0.AddMinutes(10), t0.AddHours(2)).ToListAsync();
        var all = await a.ReadAsync(model, t0, t0.AddHours(4)).ToListAsync();
        var blobs = await _catalog.Account.Blobs.ListAsync("predictions", model + "/").Select(x => x.Path[(model.Length + 1)..]).ToListAsync();

        Assert.Equal(["p2", "p3"], window.Select(p => p.PredictionId).Order());
        Assert.Equal(4, all.Count);
        Assert.Equal(3.0, all.Single(p => p.PredictionId == "p3").Inputs["temp_max"].GetDouble());
        Assert.Equal(["2025-03-01/23-instance-a.jsonl", "2025-03-02/00-instance-a.jsonl", "2025-03-02/00-instance-b.jsonl", "2025-03-02/02-instance-b.jsonl"], blobs);
    }

    [Fact]
    public async Task PredictionLog_FullAppendBlob_ContinuesInNextPart()
    {
        var blobs = new InMemoryBlobStore { MaxAppendBlocks = 1 };
        var log = new PredictionLog(blobs, "solo");
        var t = DateTimeOffset.Parse("2025-03-01T10:00:00Z");

        await log.AppendAsync([Prediction("m1", "p1", t, 1)]);
        await log.AppendAsync([Prediction("m1", "p2", t, 2)]);

        Assert.Equal(["m1/2025-03-01/10-solo-1.jsonl", "m1/2025-03-01/10-solo.jsonl"], await blobs.ListAsync("predictions").Select(b => b.Path).ToListAsync());
        Assert.Equal(2, await log.ReadAsync("m1", t, t.AddHours(1)).CountAsync());
    }

    [Fact]
    public async Task FeedbackStore_SamePredictionTwice_KeepsFirstAndReportsDuplicate()
    {
        var model = Samples.Name("fb");
        var t = DateTimeOffset.Parse("2025-03-01T10:00:00Z");

        var first = await _catalog.Feedback.AddAsync(model, [new("p1", Samples.Json("\"rain\""), t), new("p2", Samples.Json("\"sun\""), t)]);
        var second = await _catalog.Feedback.AddAsync(model, [new("p1", Samples.Json("\"sun\""), t.AddHours(1))]);

        Assert.Equal((2, 0), (first.Accepted, first.Duplicates.Count));
        Assert.Equal((0, "p1"), (second.Accepted, second.Duplicates.Single()));
        var stored = await _catalog.Feedback.ListAsync(model, t, t.AddHours(2)).ToListAsync();
        Assert.Equal("rain", stored.Single(f => f.PredictionId == "p1").Actual.GetString());
    }

    [Fact]
    public async Task DriftReportStore_SaveTwiceAndList_IdempotentAndNewestFirst()
    {
        var model = Samples.Name("drift");
        var t = DateTimeOffset.Parse("2025-03-01T10:00:00Z");
        DriftReportSummary Summary(string id, DateTimeOffset at, bool drifted) => new()
        {
            Model = model,
            ReportId = id,
            CreatedAt = at,
            WindowStart = at.AddHours(-1),
            WindowEnd = at,
            SampleSize = 500,
            Drifted = drifted,
            DriftedFeatures = drifted ? ["temp_max"] : [],
        };

        Assert.True(await _catalog.DriftReports.SaveAsync(Summary("r1", t, false), Samples.Json("""{"features":[]}""")));
        Assert.True(await _catalog.DriftReports.SaveAsync(Summary("r2", t.AddHours(1), true), Samples.Json("""{"features":[{"name":"temp_max","psi":0.4}]}""")));
        Assert.False(await _catalog.DriftReports.SaveAsync(Summary("r2", t.AddHours(1), true), Samples.Json("""{"features":[]}""")));

        var listed = await _catalog.DriftReports.ListAsync(model).ToListAsync();
        var (summary, report) = await _catalog.DriftReports.GetAsync(model, "r2");
        Assert.Equal(["r2", "r1"], listed.Select(r => r.ReportId));
        Assert.True(summary.Drifted);
        Assert.Equal($"reports/drift/{model}/r2.json", summary.ReportBlob);
        Assert.Equal(0.4, report.GetProperty("features")[0].GetProperty("psi").GetDouble());
    }
}
