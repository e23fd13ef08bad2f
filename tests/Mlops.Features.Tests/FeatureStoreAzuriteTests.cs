using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Features.Computation;
using Mlops.Features.Join;
using Mlops.Features.Offline;
using Mlops.Features.Online;
using Mlops.Testing;

namespace Mlops.Features.Tests;

/// <summary>The feature store against a real Azurite, on flights-20k: materialisation, online values, point-in-time joins.</summary>
public sealed class FeatureStoreAzuriteTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string View = """
        {"entities": ["origin"], "timestamp": "date", "source": {"project": "PROJECT"}, "ttl": "P30D",
         "features": [{"name": "delay_mean_7d", "column": "delay", "aggregate": "mean", "window": "P7D"},
                      {"name": "delay_prev", "column": "delay", "lag": 1},
                      {"name": "last_destination", "column": "destination"}]}
        """;

    private (CatalogServices Catalog, FeatureStore Store) Services()
    {
        var catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);
        return (catalog, new FeatureStore(catalog));
    }

    private static long Ticks(string date) => EventTime.TryParse(date, out var t) ? t : throw new FormatException(date);

    [Fact]
    public async Task Materialize_Flights20k_WritesDatedPartsManifestAndLatestOnlineValues()
    {
        var (catalog, store) = Services();
        var dataset = await FlightsData.StoreAsync(catalog, "fs-mat", FlightsData.Csv(FlightsData.Flights20k));
        await store.PutViewAsync("fs-mat", "fs-mat-delays", View.Replace("PROJECT", "fs-mat"));

        var manifest = await store.Materializer.MaterializeAsync("fs-mat-delays");

        Assert.Equal(20_000, manifest.Rows);
        Assert.Equal([dataset.Sha256], manifest.Source.Partitions.Select(p => p.Sha256));
        Assert.Equal(FlightsData.Flights20k.Select(f => f.Origin).Distinct().Count(), manifest.Entities);
        Assert.Equal(20_000, manifest.Files.Sum(f => f.Rows));
        Assert.All(manifest.Files, f => Assert.Matches($"^fs-mat/fs-mat-delays/v1/date={f.Date}/part-[0-9a-f]{{12}}-000\\.parquet$", f.Path));
        var blobs = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(OfflineStore.Container);
        Assert.True(await blobs.GetBlobClient("fs-mat/fs-mat-delays/v1/manifest.json").ExistsAsync());

        // The online row of DTW is its latest flight (source order breaks ties), with the 7-day mean before it.
        var dtw = FlightsData.Flights20k.Select((f, i) => (f, i)).Where(x => x.f.Origin == "DTW").OrderBy(x => Ticks(x.f.Date)).ThenBy(x => x.i).Select(x => x.f).ToList();
        var last = dtw[^1];
        var online = await store.GetOnlineAsync("fs-mat-delays", "DTW");
        Assert.Equal(EventTime.ToDateTimeOffset(Ticks(last.Date)), online.EventTime);
        Assert.Equal(last.Destination, online.Values["last_destination"].GetString());
        var t = Ticks(last.Date);
        var window = dtw.Where(f => Ticks(f.Date) < t && Ticks(f.Date) > t - TimeSpan.FromDays(7).Ticks).Select(f => f.Delay).ToList();
        Assert.Equal(window.Average(), online.Values["delay_mean_7d"].GetDouble(), 9);
        Assert.True(online.Stale); // 2001 data, a 30-day TTL

        var missing = await Assert.ThrowsAsync<MlopsException>(() => store.GetOnlineAsync("fs-mat-delays", "XXX"));
        Assert.Equal(ErrorCode.NotFound, missing.Code);
        Assert.Contains("XXX", missing.Message);
        Assert.Contains("fs-mat-delays", missing.Message);
    }

    [Fact]
    public async Task PutView_VersionsChanges_RefusesAnotherProjectsName()
    {
        var (catalog, store) = Services();
        await catalog.Projects.PutAsync("fs-own", FlightsData.Spec);
        await catalog.Projects.PutAsync("fs-other", FlightsData.Spec);
        var json = View.Replace("PROJECT", "fs-own");

        var first = await store.PutViewAsync("fs-own", "fs-own-delays", json);
        var same = await store.PutViewAsync("fs-own", "fs-own-delays", json);
        var changed = await store.PutViewAsync("fs-own", "fs-own-delays", json.Replace("P30D", "P14D", StringComparison.Ordinal));
        var taken = await Assert.ThrowsAsync<MlopsException>(() => store.PutViewAsync("fs-other", "fs-own-delays", json));
        var noProject = await Assert.ThrowsAsync<MlopsException>(() => store.PutViewAsync("fs-nobody", "fs-nobody-delays", json));

        Assert.Equal((1, true), (first.Version, first.Created));
        Assert.Equal((1, false), (same.Version, same.Created));
        Assert.Equal((2, true), (changed.Version, changed.Created));
        Assert.Equal(ErrorCode.Conflict, taken.Code);
        Assert.Contains("fs-own", taken.Message);
        Assert.Equal(ErrorCode.NotFound, noProject.Code);
        Assert.Equal(["P30D", "P14D"], await store.Views.ListVersionsAsync("fs-own-delays").Select(v => v.Spec.Ttl).ToListAsync());
    }

    [Fact]
    public async Task Rematerialize_SameData_ChangesNothing()
    {
        var (catalog, store) = Services();
        await FlightsData.StoreAsync(catalog, "fs-idem", FlightsData.Csv(FlightsData.Flights20k.Take(5000)));
        await store.PutViewAsync("fs-idem", "fs-idem-delays", View.Replace("PROJECT", "fs-idem"));
        var first = await store.Materializer.MaterializeAsync("fs-idem-delays");
        var blobs = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(OfflineStore.Container);
        async Task<Dictionary<string, string>> Parts() => await blobs.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "fs-idem/fs-idem-delays/v1/date=", default)
            .ToDictionaryAsync(b => b.Name, b => b.Properties.ETag.ToString()!);
        var online = new TableClient(azurite.ConnectionString, OnlineStore.Table);
        async Task<Dictionary<string, string>> Rows() => await online.QueryAsync<TableEntity>(e => e.PartitionKey == "fs-idem-delays")
            .ToDictionaryAsync(e => e.RowKey, e => e.ETag.ToString());
        var partsBefore = await Parts();
        var rowsBefore = await Rows();

        var plan = await store.Materializer.PlanAsync("fs-idem-delays");
        var staged = new[] { await store.Materializer.StagePartitionAsync(plan, 0) };
        var bucket = await store.Materializer.ComputeBucketAsync(plan, 0);
        var second = await store.Materializer.CommitAsync(plan, staged, [bucket]);

        Assert.Equal(first.MaterializationId, second.MaterializationId);
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Equal(0, bucket.OnlineWritten);
        Assert.Equal(rowsBefore.Count, bucket.OnlineUnchanged);
        Assert.Equal(partsBefore, await Parts());
        Assert.Equal(rowsBefore, await Rows());
        Assert.Single(await store.Views.ListMaterializationsAsync("fs-idem-delays"));
    }

    [Fact]
    public async Task HistoricalJoin_PlantedFutureValue_NeverLeaksIntoEarlierRows()
    {
        var (catalog, store) = Services();
        var flights = FlightsData.Flights20k;
        await FlightsData.StoreAsync(catalog, "fs-pit", FlightsData.Csv(flights));
        // A second dataset version plants one absurd delay for DTW in the middle of the data's time range.
        const string planted = "2001/02/15 12:00";
        var plant = new FlightsData.Flight(planted, 99_999, 500, "DTW", "ORD");
        // (With nine real flights of other airports: a dataset version needs ten rows.)
        await FlightsData.StoreAsync(catalog, "fs-pit", FlightsData.Csv(flights.Where(f => f.Origin != "DTW").Take(9).Append(plant)));
        await store.PutViewAsync("fs-pit", "fs-pit-delays", View.Replace("PROJECT", "fs-pit"));
        var manifest = await store.Materializer.MaterializeAsync("fs-pit-delays");
        Assert.Equal(2, manifest.Source.Partitions.Count);

        // Every DTW flight as a training row (entity + its own time), plus rows between flights and long after.
        var all = flights.Append(plant).Where(f => f.Origin == "DTW").Select(f => Ticks(f.Date)).Order().ToList();
        var requests = all.SelectMany(t => new[] { t, t + TimeSpan.FromMinutes(1).Ticks }).Append(all[^1] + TimeSpan.FromDays(31).Ticks)
            .Select(t => new JoinRow("DTW", t)).Append(new JoinRow("LAS", Ticks(planted))).Append(new JoinRow(null, Ticks(planted))).ToList();

        var result = await store.Joiner.JoinAsync("fs-pit-delays", requests);

        var plantTicks = Ticks(planted);
        var dtw = flights.Append(plant).Where(f => f.Origin == "DTW").Select(f => (T: Ticks(f.Date), f.Delay)).ToList();
        for (var i = 0; i < requests.Count - 2; i++)
        {
            var at = requests[i].Ticks;
            // Brute force: the latest DTW flight at or before the row's time, within the TTL, and the 7-day mean before that flight.
            var asOf = dtw.Where(x => x.T <= at).Select(x => x.T).DefaultIfEmpty(-1).Max();
            var expected = asOf < 0 || at - asOf > TimeSpan.FromDays(30).Ticks ? null
                : dtw.Where(x => x.T < asOf && x.T > asOf - TimeSpan.FromDays(7).Ticks).Select(x => x.Delay).DefaultIfEmpty(double.NaN).Average() is var m && double.IsNaN(m) ? (double?)null : m;
            Assert.Equal(expected.HasValue, result.Values[i][0] is not null);
            if (expected is { } e)
            {
                Assert.Equal(e, (double)result.Values[i][0]!, 6);
            }

            if (at < plantTicks)
            {
                Assert.True(result.Values[i][0] is null || (double)result.Values[i][0]! < 1000, $"row {i} at {EventTime.Format(at)} sees the planted future delay");
                Assert.NotEqual(99_999.0, result.Values[i][1]);
            }
        }

        // The plant is visible once it is in the past (lag 1 of the next DTW flight), proving the test could fail.
        var next = dtw.Where(x => x.T > plantTicks).Min(x => x.T);
        Assert.Equal(99_999.0, result.Values[requests.FindIndex(r => r.Ticks == next)][1]);
        Assert.All(result.Values[^3], Assert.Null); // 31 days after the last flight: stale
        Assert.Equal("fs-pit-delays", result.View);
        Assert.StartsWith("features/fs-pit/fs-pit-delays/v1/manifests/", result.Manifest);
        Assert.All(result.Values[^1], Assert.Null); // no entity
    }

    [Fact]
    public async Task TrainingSetJoin_AddsColumnsAsOfEachRow_KeepsColumnsTheDataHas()
    {
        var (catalog, store) = Services();
        var flights = FlightsData.Flights20k.Take(3000).ToList();
        await FlightsData.StoreAsync(catalog, "fs-train", FlightsData.Csv(flights));
        await store.PutViewAsync("fs-train", "fs-train-delays", """
            {"entities": ["origin"], "timestamp": "date", "source": {"project": "fs-train"},
             "features": [{"name": "distance", "column": "distance"}, {"name": "delay_mean_7d", "column": "delay", "aggregate": "mean", "window": "P7D", "fill": 0}]}
            """);
        await store.Materializer.MaterializeAsync("fs-train-delays");
        var input = new MemoryStream(Encoding.UTF8.GetBytes(FlightsData.Csv(flights)));
        var output = new MemoryStream();

        var lineage = await store.TrainingSets.JoinCsvAsync(input, output, ["fs-train-delays"]);

        var joined = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,delay,distance,origin,destination,delay_mean_7d", joined[0]);
        Assert.Equal(flights.Count + 1, joined.Length);
        Assert.Equal(["delay_mean_7d"], lineage[0].Columns);
        Assert.Equal(["distance"], lineage[0].KeptFromData);
        Assert.All(joined.Skip(1), line => Assert.NotEqual("", line.Split(',')[5])); // fill 0 where no earlier flight
        var historical = await store.Joiner.JoinAsync("fs-train-delays", flights.Select(f => new JoinRow(f.Origin, Ticks(f.Date))).ToList());
        for (var i = 0; i < flights.Count; i++)
        {
            Assert.Equal((double)historical.Values[i][1]!, double.Parse(joined[i + 1].Split(',')[5], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task StreamSource_JsonUpload_MaterializesLikeAProject()
    {
        var (catalog, store) = Services();
        await catalog.Projects.PutAsync("fs-stream", FlightsData.Spec);
        var json = """[{"airport": "DTW", "at": "2001-01-01T10:00:00Z", "temp": 3.5}, {"airport": "DTW", "at": "2001-01-01T11:00:00Z", "temp": 4.5}, {"airport": "LAS", "at": "2001-01-01T11:00:00Z", "temp": 20}]""";
        var upload = await store.Sources.IngestAsync("fs-weather", new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json");
        var again = await store.Sources.IngestAsync("fs-weather", new MemoryStream(Encoding.UTF8.GetBytes(json)), "application/json");
        await store.PutViewAsync("fs-stream", "fs-weather-temp", """
            {"entities": ["airport"], "timestamp": "at", "source": {"stream": "fs-weather"}, "features": [{"name": "temp", "column": "temp"}, {"name": "temp_f", "expression": "temp * 9 / 5 + 32"}]}
            """);

        var manifest = await store.Materializer.MaterializeAsync("fs-weather-temp");

        Assert.True(upload.Created);
        Assert.False(again.Created);
        Assert.Equal(upload.Version, again.Version);
        Assert.Equal(3, manifest.Rows);
        Assert.Equal(40.1, (await store.GetOnlineAsync("fs-weather-temp", "DTW")).Values["temp_f"].GetDouble(), 9);
        var bad = await Assert.ThrowsAsync<MlopsException>(() => store.PutViewAsync("fs-stream", "fs-weather-bad", """
            {"entities": ["airport"], "timestamp": "at", "source": {"stream": "fs-weather"}, "features": [{"name": "x", "column": "humidity"}]}
            """));
        Assert.Contains(bad.Violations, v => v.Field == "features[0].column" && v.Rule == "missing-column");
    }
}
