using System.Buffers;
using System.Text;
using System.Text.Json;
using Mlops.Features.Computation;
using Mlops.Features.Offline;
using Mlops.Storage;

namespace Mlops.Features.Online;

/// <summary>An entity's latest feature values as the online store holds them.</summary>
/// <param name="View">The view.</param>
/// <param name="Entity">The entity key (key values joined with <c>|</c>).</param>
/// <param name="EventTime">The event time of the source row the values are as of.</param>
/// <param name="ViewVersion">The view version that computed them.</param>
/// <param name="MaterializationId">The materialisation that wrote them.</param>
/// <param name="Values">Feature name → number, string or null (missing).</param>
public sealed record OnlineFeatureValue(string View, string Entity, DateTimeOffset EventTime, int ViewVersion, string MaterializationId,
    IReadOnlyDictionary<string, JsonElement> Values);

/// <summary>One entity's latest row to store.</summary>
/// <param name="Entity">The entity key.</param>
/// <param name="Ticks">Its event time (UTC ticks).</param>
/// <param name="ValuesJson">Its values as a JSON object (feature → number, string or null).</param>
public sealed record OnlineEntry(string Entity, long Ticks, string ValuesJson);

/// <summary>What an online write did.</summary>
/// <param name="Written">Rows inserted or replaced.</param>
/// <param name="Unchanged">Rows already holding these values (or newer ones): left alone.</param>
public sealed record OnlineWriteStats(int Written, int Unchanged);

/// <summary>
/// The online store: table <c>featuresonline</c>, PartitionKey = view, RowKey = entity key; one entity per row with its
/// latest values, event time, view version and materialisation. Writes are ETag-guarded and idempotent: a row is only
/// replaced by values of a newer view version, or of the same version at a later (or the same, changed) event time, so
/// re-materialising the same data writes nothing and two materialisations racing cannot move a value backwards.
/// </summary>
public sealed class OnlineStore(TableStore tables)
{
    /// <summary>The table.</summary>
    public const string Table = "featuresonline";

    /// <summary>The latest row of <paramref name="entityKey"/> in <paramref name="view"/>, or null.</summary>
    public async Task<OnlineFeatureValue?> GetAsync(string view, string entityKey, CancellationToken cancellationToken = default)
    {
        var row = await tables.GetAsync(Table, view, EntityKey.ToRowKey(entityKey), cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToValue(row, entityKey);
    }

    /// <summary>Stores the latest values of <paramref name="entries"/>, batched per 100 rows.</summary>
    public async Task<OnlineWriteStats> WriteLatestAsync(string view, int version, string materializationId, IReadOnlyList<OnlineEntry> entries,
        CancellationToken cancellationToken = default)
    {
        var existing = new Dictionary<string, TableRow>(StringComparer.Ordinal);
        await foreach (var row in tables.QueryAsync(Table, view, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            existing[row.RowKey] = row;
        }

        var written = 0;
        var unchanged = 0;
        var pending = new List<(OnlineEntry Entry, TableOperation Operation)>();
        foreach (var entry in entries)
        {
            var rowKey = EntityKey.ToRowKey(entry.Entity);
            existing.TryGetValue(rowKey, out var current);
            if (!ShouldReplace(current, version, entry))
            {
                unchanged++;
                continue;
            }

            var row = ToRow(view, version, materializationId, entry);
            pending.Add((entry, current is null ? TableOperation.Insert(row) : TableOperation.Replace(row, current.ETag)));
        }

        foreach (var batch in pending.Chunk(100))
        {
            var result = await tables.SubmitBatchAsync(Table, batch.Select(b => b.Operation).ToList(), cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                written += batch.Length;
                continue;
            }

            // Someone wrote some of these rows since they were read: settle each one on its own, re-reading it.
            foreach (var (entry, _) in batch)
            {
                if (await WriteOneAsync(view, version, materializationId, entry, cancellationToken).ConfigureAwait(false))
                {
                    written++;
                }
                else
                {
                    unchanged++;
                }
            }
        }

        return new OnlineWriteStats(written, unchanged);
    }

    private async Task<bool> WriteOneAsync(string view, int version, string materializationId, OnlineEntry entry, CancellationToken cancellationToken)
    {
        var rowKey = EntityKey.ToRowKey(entry.Entity);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await tables.GetAsync(Table, view, rowKey, cancellationToken).ConfigureAwait(false);
            if (!ShouldReplace(current, version, entry))
            {
                return false;
            }

            var row = ToRow(view, version, materializationId, entry);
            var result = current is null
                ? await tables.InsertIfAbsentAsync(Table, row, cancellationToken).ConfigureAwait(false)
                : await tables.ReplaceIfMatchAsync(Table, row, current.ETag!, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return true;
            }
        }

        throw new InvalidOperationException($"Could not write online row '{view}/{entry.Entity}' under contention.");
    }

    private static bool ShouldReplace(TableRow? current, int version, OnlineEntry entry)
    {
        if (current is null)
        {
            return true;
        }

        var currentVersion = current.GetInt32("ViewVersion") ?? 0;
        if (currentVersion != version)
        {
            return version > currentVersion;
        }

        var currentTicks = current.GetInt64("EventTicks") ?? 0;
        return entry.Ticks > currentTicks || (entry.Ticks == currentTicks && current.GetString("Values") != entry.ValuesJson);
    }

    private static TableRow ToRow(string view, int version, string materializationId, OnlineEntry entry) =>
        new TableRow(view, EntityKey.ToRowKey(entry.Entity))
            .Set("Entity", entry.Entity)
            .Set("EventTime", EventTime.ToDateTimeOffset(entry.Ticks))
            .Set("EventTicks", entry.Ticks)
            .Set("ViewVersion", version)
            .Set("MaterializationId", materializationId)
            .Set("Values", entry.ValuesJson);

    private static OnlineFeatureValue ToValue(TableRow row, string entityKey)
    {
        using var doc = JsonDocument.Parse(row.GetString("Values") ?? "{}");
        var values = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
        return new OnlineFeatureValue(row.PartitionKey, row.GetString("Entity") ?? entityKey, EventTime.ToDateTimeOffset(row.GetInt64("EventTicks") ?? 0),
            row.GetInt32("ViewVersion") ?? 0, row.GetString("MaterializationId") ?? "", values);
    }

    /// <summary>The values of row <paramref name="row"/> of <paramref name="rows"/> as the JSON object the online store keeps.</summary>
    public static string ValuesJson(FeatureRows rows, int row)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var f = 0; f < rows.Outputs.Count; f++)
            {
                switch (rows.ValueAt(f, row))
                {
                    case double d:
                        writer.WriteNumber(rows.Outputs[f].Name, d);
                        break;
                    case string s:
                        writer.WriteString(rows.Outputs[f].Name, s);
                        break;
                    default:
                        writer.WriteNull(rows.Outputs[f].Name);
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
