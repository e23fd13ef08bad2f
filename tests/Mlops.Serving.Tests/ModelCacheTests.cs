using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Mlops.Core.Errors;

namespace Mlops.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class ModelCacheTests(ServingFixture fixture)
{
    [Fact]
    public async Task GetAsync_TwentyConcurrentFirstRequests_LoadsOnce()
    {
        var model = await fixture.ProductionModelAsync("cache-once");
        var cache = new ModelCache(fixture.Catalog.Models);
        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 20).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return cache.GetAsync(model, ModelSelector.Production);
        })).ToList();
        start.Set();
        var loaded = await Task.WhenAll(requests);

        Assert.Equal(1, cache.LoadCount);
        Assert.All(loaded, l => Assert.Same(loaded[0], l));
        Assert.Equal(1, loaded[0].Number);
    }

    [Fact]
    public async Task Invalidate_AliasMovedUnderLoad_NextRequestUsesNewVersionAndNoRequestFails()
    {
        var model = await fixture.ProductionModelAsync("cache-swap");
        // A TTL far longer than the test: only Invalidate can make the swap visible.
        var options = new ServingOptions { AliasTtl = TimeSpan.FromHours(1) };
        var cache = new ModelCache(fixture.Catalog.Models, options);
        await using var log = new PredictionLogWriter(fixture.Catalog.Predictions, options);
        var service = new PredictionService(cache, log, options);
        var body = ServingFixture.Json($$"""{"instances":{{fixture.WeatherRowsJson(5)}}}""");

        var versionsSeen = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var sawV1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawV2 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await service.PredictAsync(model, "production", body);
                    versionsSeen.AddOrUpdate(response.Model.Version, 1, (_, n) => n + 1);
                    (response.Model.Version == 1 ? sawV1 : sawV2).TrySetResult();
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        })).ToList();

        await sawV1.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var v2 = await fixture.RegisterAsync(model, fixture.Sdca, "sdca");
        await fixture.PromoteAsync(model, v2.Version);
        cache.Invalidate(model);
        var next = await service.PredictAsync(model, "production", body);
        await sawV2.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Equal(2, next.Model.Version);
        Assert.Empty(failures);
        Assert.True(versionsSeen.ContainsKey(1) && versionsSeen.ContainsKey(2));
        Assert.Equal(2, cache.LoadCount);
    }

    [Fact]
    public async Task ResolveAliasAsync_TtlPassed_PicksUpMoveWithoutInvalidate()
    {
        var model = await fixture.ProductionModelAsync("cache-ttl");
        var time = new FakeTimeProvider();
        var cache = new ModelCache(fixture.Catalog.Models, new ServingOptions { AliasTtl = TimeSpan.FromSeconds(2) }, time);
        Assert.Equal(1, await cache.ResolveAliasAsync(model, "production"));

        var v2 = await fixture.RegisterAsync(model, fixture.Sdca, "sdca");
        await fixture.PromoteAsync(model, v2.Version);
        Assert.Equal(1, await cache.ResolveAliasAsync(model, "production"));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(2, await cache.ResolveAliasAsync(model, "production"));
    }

    [Fact]
    public async Task GetAsync_UnknownModelOrVersionOrAlias_NotFoundNamingThem()
    {
        var model = await fixture.ProductionModelAsync("cache-missing");
        var cache = new ModelCache(fixture.Catalog.Models);

        var noModel = await Assert.ThrowsAsync<MlopsException>(() => cache.GetAsync("no-such-model", ModelSelector.Production));
        Assert.Equal(ErrorCode.NotFound, noModel.Code);
        Assert.Contains("'no-such-model'", noModel.Message, StringComparison.Ordinal);
        Assert.Contains("'production'", noModel.Message, StringComparison.Ordinal);

        var noVersion = await Assert.ThrowsAsync<MlopsException>(() => cache.GetAsync(model, ModelSelector.ForVersion(9)));
        Assert.Equal(ErrorCode.NotFound, noVersion.Code);
        Assert.Contains("version 9", noVersion.Message, StringComparison.Ordinal);

        var noAlias = await Assert.ThrowsAsync<MlopsException>(() => cache.GetAsync(model, ModelSelector.ForAlias("staging")));
        Assert.Contains("'staging'", noAlias.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.LoadedCount);
    }

    [Fact]
    public async Task GetAsync_BadName_InvalidBeforeStorage()
    {
        var cache = new ModelCache(fixture.Catalog.Models);
        var error = await Assert.ThrowsAsync<MlopsException>(() => cache.GetAsync("../Models", ModelSelector.Production));
        Assert.Equal(("name", "pattern"), (error.Violations[0].Field, error.Violations[0].Rule));
    }

    [Fact]
    public async Task GetAsync_MoreVersionsThanLimit_DropsLeastRecentlyUsedButKeepsItUsable()
    {
        var model = await fixture.ProductionModelAsync("cache-evict");
        await fixture.RegisterAsync(model, fixture.Sdca, "sdca");
        var cache = new ModelCache(fixture.Catalog.Models, new ServingOptions { MaxLoadedVersions = 1 });
        var v1 = await cache.GetVersionAsync(model, 1);
        var v2 = await cache.GetVersionAsync(model, 2);

        Assert.Equal(1, cache.LoadedCount);
        // The dropped version was not disposed: a request holding it still predicts.
        var rows = JsonSerializer.Deserialize<List<Dictionary<string, JsonElement>>>(fixture.WeatherRowsJson(2))!;
        Assert.Equal(2, v1.Predictor.Predict(rows.Cast<IReadOnlyDictionary<string, JsonElement>>().ToList()).Predictions.Count);
        Assert.Equal(2, v2.Number);
    }
}
