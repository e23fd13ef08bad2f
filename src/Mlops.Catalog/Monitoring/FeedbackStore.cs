using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Catalog.Internal;
using Mlops.Storage;

namespace Mlops.Catalog.Monitoring;

/// <summary>Ground truth for one prediction.</summary>
/// <param name="PredictionId">The prediction it answers.</param>
/// <param name="Actual">The true label or value.</param>
/// <param name="Time">When the truth was reported.</param>
public sealed record FeedbackRecord(string PredictionId, JsonElement Actual, DateTimeOffset Time);

/// <summary>How a feedback batch went.</summary>
/// <param name="Accepted">New rows stored.</param>
/// <param name="Duplicates">Prediction ids that already had feedback (kept as first reported, never overwritten).</param>
public sealed record FeedbackResult(int Accepted, IReadOnlyList<string> Duplicates);

/// <summary>Ground-truth feedback in the <c>feedback</c> table: partition = model, row = prediction id (so each prediction gets one truth).</summary>
public sealed class FeedbackStore
{
    private readonly TableStore _tables;

    /// <summary>Creates the store.</summary>
    public FeedbackStore(TableStore tables) => _tables = tables;

    /// <summary>Stores feedback; a prediction id that already has feedback is reported as a duplicate and left unchanged.</summary>
    public async Task<FeedbackResult> AddAsync(string model, IReadOnlyList<FeedbackRecord> items, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        for (var i = 0; i < items.Count; i++)
        {
            CatalogLayout.RequireId(items[i].PredictionId, $"[{i}].predictionId");
        }

        var duplicates = new List<string>();
        var accepted = 0;
        // Row by row: a batch would fail whole on one duplicate. Bounded parallelism keeps latency down.
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var row = new TableRow(model, item.PredictionId).Set("Actual", item.Actual.GetRawText()).Set("Time", item.Time);
            var result = await _tables.InsertIfAbsentAsync(CatalogLayout.FeedbackTable, row, ct).ConfigureAwait(false);
            lock (duplicates)
            {
                if (result.Succeeded)
                {
                    accepted++;
                }
                else
                {
                    duplicates.Add(item.PredictionId);
                }
            }
        }).ConfigureAwait(false);
        return new FeedbackResult(accepted, duplicates);
    }

    /// <summary>Feedback of a model reported in [<paramref name="from"/>, <paramref name="to"/>) (scans the model's partition).</summary>
    public async IAsyncEnumerable<FeedbackRecord> ListAsync(string model, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        await foreach (var row in _tables.QueryAsync(CatalogLayout.FeedbackTable, model, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var time = row.GetDateTimeOffset("Time")!.Value;
            if (time >= from && time < to)
            {
                using var actual = JsonDocument.Parse(row.GetString("Actual")!);
                yield return new FeedbackRecord(row.RowKey, actual.RootElement.Clone(), time);
            }
        }
    }
}
