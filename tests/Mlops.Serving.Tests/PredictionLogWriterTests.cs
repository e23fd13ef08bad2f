using System.Text.Json;
using Mlops.Modeling.Serving;

namespace Mlops.Serving.Tests;

[Collection(ServingCollection.Name)]
public sealed class PredictionLogWriterTests(ServingFixture fixture)
{
    private static PredictionLogEntry Entry(string model, int rows, DateTimeOffset time)
    {
        var input = new ScoringRequestParser().Parse(ServingFixture.Json(
            JsonSerializer.Serialize(new { instances = Enumerable.Range(0, rows).Select(i => new { x = i }) })));
        var predictions = Enumerable.Range(0, rows).Select(i => new Prediction { Value = i * 0.5f }).ToList();
        return new PredictionLogEntry(model, 1, time, input, predictions, Enumerable.Range(0, rows).Select(_ => Guid.NewGuid().ToString("N")).ToList());
    }

    [Fact]
    public async Task FlushAsync_ManyConcurrentEntries_WritesEveryAcceptedRecordInBatches()
    {
        var model = fixture.NewModelName("log");
        var time = DateTimeOffset.UtcNow;
        await using var writer = new PredictionLogWriter(fixture.Catalog.Predictions, new ServingOptions { LogBatchSize = 50 });
        var entries = Enumerable.Range(0, 40).Select(i => Entry(model, 1 + (i % 7), time)).ToList();
        await Task.WhenAll(entries.Select(e => Task.Run(async () => await writer.EnqueueAsync(e))));
        await writer.FlushAsync();

        var expected = entries.Sum(e => e.PredictionIds.Count);
        Assert.Equal(expected, writer.Accepted);
        Assert.Equal(expected, writer.Written);
        Assert.Equal(0, writer.Dropped + writer.Failed);
        var logged = await fixture.Catalog.Predictions.ReadAsync(model, time.AddMinutes(-1), time.AddMinutes(1)).ToListAsync();
        Assert.Equal(entries.SelectMany(e => e.PredictionIds).Order(), logged.Select(r => r.PredictionId).Order());
        Assert.Contains(logged, r => r.Output.ValueKind == JsonValueKind.Number && r.Inputs["x"].ValueKind == JsonValueKind.Number);
    }

    [Fact]
    public async Task DisposeAsync_PendingEntries_AreWrittenBeforeItReturns()
    {
        var model = fixture.NewModelName("log-dispose");
        var time = DateTimeOffset.UtcNow;
        var writer = new PredictionLogWriter(fixture.Catalog.Predictions, new ServingOptions { LogMaxDelay = TimeSpan.FromMinutes(5) });
        await writer.EnqueueAsync(Entry(model, 3, time));
        await writer.DisposeAsync();

        Assert.Equal(3, writer.Written);
        var logged = await fixture.Catalog.Predictions.ReadAsync(model, time.AddMinutes(-1), time.AddMinutes(1)).ToListAsync();
        Assert.Equal(3, logged.Count);
    }

    [Fact]
    public async Task EnqueueAsync_AfterDispose_CountsDropped()
    {
        var writer = new PredictionLogWriter(fixture.Catalog.Predictions, new ServingOptions { LogEnqueueTimeout = TimeSpan.FromMilliseconds(10) });
        await writer.DisposeAsync();
        Assert.False(await writer.EnqueueAsync(Entry(fixture.NewModelName("log-closed"), 4, DateTimeOffset.UtcNow)));
        Assert.Equal(4, writer.Dropped);
    }
}
