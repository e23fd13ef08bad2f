using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Mlops.Catalog.Internal;
using Mlops.Storage;

namespace Mlops.Catalog.Monitoring;

/// <summary>One logged prediction (one JSON line).</summary>
/// <param name="PredictionId">Returned to the caller; feedback refers to it.</param>
/// <param name="Model">Model name.</param>
/// <param name="Version">Model version that answered.</param>
/// <param name="Time">When it was answered.</param>
/// <param name="Inputs">The input row, column by column.</param>
/// <param name="Output">The prediction (label, value, scores: whatever serving returns).</param>
public sealed record PredictionRecord(string PredictionId, string Model, int Version, DateTimeOffset Time, IReadOnlyDictionary<string, JsonElement> Inputs, JsonElement Output);

/// <summary>
/// The append-only prediction log: JSON lines in append blobs
/// <c>predictions/{model}/{yyyy-MM-dd}/{HH}-{instance}.jsonl</c> (UTC), one blob per model, hour and writer
/// instance, so writers never contend. Read back by time range for drift and live quality.
/// </summary>
public sealed class PredictionLog
{
    private readonly BlobStore _blobs;
    private readonly string _instance;
    private readonly ConcurrentDictionary<string, int> _parts = new(StringComparer.Ordinal);

    /// <summary>Creates a log writer/reader.</summary>
    /// <param name="blobs">The blob store.</param>
    /// <param name="instanceId">This writer's name (e.g. <c>WEBSITE_INSTANCE_ID</c>); reduced to letters, digits and '-'.</param>
    public PredictionLog(BlobStore blobs, string instanceId)
    {
        _blobs = blobs;
        var safe = new string(instanceId.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Take(64).ToArray());
        _instance = safe.Length == 0 ? "local" : safe;
    }

    /// <summary>Appends predictions: one append per (model, hour) blob of up to 4 MiB of whole lines.</summary>
    public async Task AppendAsync(IReadOnlyList<PredictionRecord> records, CancellationToken cancellationToken = default)
    {
        foreach (var group in records.GroupBy(r => (Model: CatalogLayout.RequireName(r.Model, "model"), Hour: HourOf(r.Time))))
        {
            var chunk = new MemoryStream();
            foreach (var record in group)
            {
                CatalogLayout.RequireId(record.PredictionId, "predictionId");
                var line = JsonSerializer.SerializeToUtf8Bytes(record, CatalogJson.Options);
                if (chunk.Length > 0 && chunk.Length + line.Length + 1 > BlobStore.MaxAppendBytes)
                {
                    await AppendChunkAsync(group.Key.Model, group.Key.Hour, chunk, cancellationToken).ConfigureAwait(false);
                    chunk = new MemoryStream();
                }

                chunk.Write(line);
                chunk.WriteByte((byte)'\n');
            }

            await AppendChunkAsync(group.Key.Model, group.Key.Hour, chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Predictions of a model with <paramref name="from"/> ≤ time &lt; <paramref name="to"/>, streamed blob by blob (bounded memory).</summary>
    public async IAsyncEnumerable<PredictionRecord> ReadAsync(string model, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
        {
            var prefix = $"{model}/{day:yyyy-MM-dd}/";
            var blobs = await _blobs.ListAsync(CatalogLayout.PredictionsContainer, prefix, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var blob in blobs)
            {
                var name = blob.Path[prefix.Length..];
                if (!int.TryParse(name.AsSpan(0, Math.Min(2, name.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out var hour))
                {
                    continue;
                }

                var hourStart = new DateTimeOffset(day.AddHours(hour), TimeSpan.Zero);
                if (hourStart.AddHours(1) <= from || hourStart >= to)
                {
                    continue;
                }

                await using var download = await _blobs.GetAsync(CatalogLayout.PredictionsContainer, blob.Path, cancellationToken).ConfigureAwait(false);
                if (download is null)
                {
                    continue;
                }

                using var reader = new StreamReader(download.Content, Encoding.UTF8);
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (line.Length == 0)
                    {
                        continue;
                    }

                    var record = JsonSerializer.Deserialize<PredictionRecord>(line, CatalogJson.Options)!;
                    if (record.Time >= from && record.Time < to)
                    {
                        yield return record;
                    }
                }
            }
        }
    }

    private async Task AppendChunkAsync(string model, DateTimeOffset hour, MemoryStream chunk, CancellationToken cancellationToken)
    {
        if (chunk.Length == 0)
        {
            return;
        }

        var baseName = $"{model}/{hour:yyyy-MM-dd}/{hour:HH}-{_instance}";
        while (true)
        {
            var part = _parts.GetValueOrDefault(baseName);
            var path = part == 0 ? baseName + ".jsonl" : $"{baseName}-{part}.jsonl";
            var status = await _blobs.AppendAsync(CatalogLayout.PredictionsContainer, path, chunk.GetBuffer().AsMemory(0, (int)chunk.Length), cancellationToken).ConfigureAwait(false);
            if (status == BlobAppendStatus.Appended)
            {
                return;
            }

            // The blob reached its block limit: continue in the next part.
            _parts[baseName] = part + 1;
        }
    }

    private static DateTimeOffset HourOf(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
