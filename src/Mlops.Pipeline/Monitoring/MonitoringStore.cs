using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Catalog;
using Mlops.Monitoring;
using Mlops.Storage;

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// Live-quality windows and the latest note of each check, in the <c>monitoring</c> table (partition = model):
/// <c>q|{inverted ticks of the window end}|{windowId}</c> (newest first) + <c>qid|{windowId}</c> (idempotency), and
/// <c>note|{check}</c> (replaced by every check). Drift reports live in the catalog's <c>drift</c> table.
/// </summary>
public sealed class MonitoringStore(CatalogServices catalog)
{
    /// <summary>The table.</summary>
    public const string Table = "monitoring";

    private TableStore Tables => catalog.Account.Tables;

    /// <summary>Stores a window once: false when its id was stored before (a retried check).</summary>
    public async Task<bool> SaveQualityAsync(QualityWindowRecord window, CancellationToken cancellationToken)
    {
        var byTime = new TableRow(window.Model, "q|" + Descending(window.WindowEnd) + "|" + window.WindowId)
            .Set("Window", JsonSerializer.Serialize(window, MonitoringJson.Options));
        var byId = new TableRow(window.Model, "qid|" + window.WindowId).Set("TimeKey", byTime.RowKey);
        var result = await Tables.SubmitBatchAsync(Table, [TableOperation.Insert(byId), TableOperation.Insert(byTime)], cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Quality windows of a model, newest window end first.</summary>
    public async IAsyncEnumerable<QualityWindowRecord> ListQualityAsync(string model, int take, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var count = 0;
        await foreach (var row in Tables.QueryAsync(Table, model, RowKeyRange.Prefix("q|"), cancellationToken).ConfigureAwait(false))
        {
            if (count++ >= take)
            {
                yield break;
            }

            yield return JsonSerializer.Deserialize<QualityWindowRecord>(row.GetString("Window")!, MonitoringJson.Options)!;
        }
    }

    /// <summary>Replaces the model's note for <see cref="CheckOutcome.Check"/>.</summary>
    public Task SaveNoteAsync(CheckOutcome outcome, CancellationToken cancellationToken) =>
        Tables.UpsertAsync(Table, new TableRow(outcome.Project, "note|" + outcome.Check)
            .Set("Note", JsonSerializer.Serialize(outcome, MonitoringJson.Options)), UpsertMode.Replace, cancellationToken);

    /// <summary>The latest note of each check of a model.</summary>
    public async Task<IReadOnlyList<CheckOutcome>> ListNotesAsync(string model, CancellationToken cancellationToken)
    {
        var notes = new List<CheckOutcome>();
        await foreach (var row in Tables.QueryAsync(Table, model, RowKeyRange.Prefix("note|"), cancellationToken).ConfigureAwait(false))
        {
            notes.Add(JsonSerializer.Deserialize<CheckOutcome>(row.GetString("Note")!, MonitoringJson.Options)!);
        }

        return notes;
    }

    private static string Descending(DateTimeOffset time) =>
        (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
