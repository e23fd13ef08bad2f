using System.Globalization;
using System.Text.Json;
using Mlops.Core.Errors;
using Mlops.Features.Computation;
using Mlops.Features.Definitions;
using Mlops.Features.Offline;

namespace Mlops.Features.Join;

/// <summary>One row to join: its entity key (null when the row lacks one) and its timestamp.</summary>
/// <param name="Entity">The entity key, or null.</param>
/// <param name="Ticks">The row's own time (UTC ticks).</param>
public readonly record struct JoinRow(string? Entity, long Ticks);

/// <summary>The result of a point-in-time join, in request order.</summary>
/// <param name="View">The view.</param>
/// <param name="ViewVersion">Its version.</param>
/// <param name="MaterializationId">The materialisation read.</param>
/// <param name="Manifest">Its manifest's path (lineage).</param>
/// <param name="Features">The feature columns.</param>
/// <param name="Values">Per row, per feature: a double, a string, or null (missing, stale, or no entity).</param>
/// <param name="EventTicks">Per row, the event time of the feature row used, or null.</param>
/// <param name="Filled">Per row, per feature: true when the view's fill value stands in for a missing one.</param>
public sealed record JoinResult(string View, int ViewVersion, string MaterializationId, string Manifest, IReadOnlyList<FeatureColumn> Features,
    object?[][] Values, long?[] EventTicks, bool[][] Filled);

/// <summary>
/// Feast's <c>get_historical_features</c>: each row gets the values of the latest feature row of its entity whose event
/// time is at or before the row's own time — never a later one — and not older than the view's TTL. One sweep over the
/// offline store in event-time order: the rows are sorted by time, the manifest's files are read date by date (dates
/// outside [earliest row − TTL, latest row] are skipped), and only the latest value per entity is kept in memory.
/// </summary>
public sealed class PointInTimeJoiner(FeatureViewCatalog views, OfflineStore offline)
{
    /// <summary>Joins <paramref name="rows"/> to the latest materialisation of <paramref name="view"/>'s latest version.</summary>
    public async Task<JoinResult> JoinAsync(string view, IReadOnlyList<JoinRow> rows, CancellationToken cancellationToken = default)
    {
        var definition = await views.GetAsync(view, cancellationToken: cancellationToken).ConfigureAwait(false);
        var path = await views.FindLatestManifestPathAsync(view, definition.Version, cancellationToken).ConfigureAwait(false)
                   ?? throw new MlopsException(ErrorCode.NotFound, $"Feature view '{view}' v{definition.Version} has not been materialised yet: POST .../features/{view}/materialize first.");
        var manifest = await offline.ReadManifestAsync(path, cancellationToken).ConfigureAwait(false);
        var ttl = definition.Spec.Ttl is null ? (TimeSpan?)null : IsoDuration.Parse(definition.Spec.Ttl);
        var result = await JoinAsync(manifest, ttl, rows, cancellationToken).ConfigureAwait(false);
        return result with { Manifest = OfflineStore.Container + "/" + path };
    }

    /// <summary>Joins <paramref name="rows"/> to the materialisation <paramref name="manifest"/> with <paramref name="ttl"/> (fill values from <paramref name="spec"/>, read when null).</summary>
    public async Task<JoinResult> JoinAsync(MaterializationManifest manifest, TimeSpan? ttl, IReadOnlyList<JoinRow> rows, CancellationToken cancellationToken = default,
        FeatureViewSpec? spec = null)
    {
        spec ??= (await views.GetAsync(manifest.View, manifest.ViewVersion, cancellationToken).ConfigureAwait(false)).Spec;
        var features = manifest.Features;
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var keys = rows.Select(r => r.Ticks).ToArray();
        Array.Sort(keys, order); // by time; ties in any order (they see the same state)

        var values = new object?[rows.Count][];
        var eventTicks = new long?[rows.Count];
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var slotTicks = new List<long>();
        var slotValues = new List<object?[]>();

        var next = 0;
        void AnswerUpTo(long exclusiveTicks)
        {
            while (next < order.Length && rows[order[next]].Ticks < exclusiveTicks)
            {
                var i = order[next++];
                var row = rows[i];
                if (row.Entity is { } entity && slotOf.TryGetValue(entity, out var slot) && (ttl is null || row.Ticks - slotTicks[slot] <= ttl.Value.Ticks))
                {
                    values[i] = (object?[])slotValues[slot].Clone();
                    eventTicks[i] = slotTicks[slot];
                }
                else
                {
                    values[i] = new object?[features.Count];
                }
            }
        }

        if (rows.Count > 0)
        {
            var first = OfflineStore.DateOf(ttl is { } t ? Math.Max(0, keys[0] - t.Ticks) : 0);
            var last = OfflineStore.DateOf(keys[^1]);
            foreach (var date in manifest.Files.Where(f => string.CompareOrdinal(f.Date, first) >= 0 && string.CompareOrdinal(f.Date, last) <= 0)
                         .GroupBy(f => f.Date).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                // One date: every bucket's part, merged by event time (an entity lives in one part, in its source order).
                var parts = new List<FeatureRows>();
                foreach (var file in date)
                {
                    parts.Add(await offline.ReadPartAsync(file.Path, manifest, cancellationToken).ConfigureAwait(false));
                }

                var merged = parts.SelectMany((p, pi) => Enumerable.Range(0, p.Count).Select(r => (Part: pi, Row: r)))
                    .OrderBy(x => parts[x.Part].Ticks[x.Row]).ThenBy(x => x.Part).ThenBy(x => x.Row);
                foreach (var (pi, r) in merged)
                {
                    var part = parts[pi];
                    var ticks = part.Ticks[r];
                    AnswerUpTo(ticks); // rows strictly before this feature row's time
                    if (!slotOf.TryGetValue(part.Keys[r], out var slot))
                    {
                        slot = slotTicks.Count;
                        slotOf[part.Keys[r]] = slot;
                        slotTicks.Add(0);
                        slotValues.Add(new object?[features.Count]);
                    }

                    slotTicks[slot] = ticks;
                    var target = slotValues[slot];
                    for (var f = 0; f < features.Count; f++)
                    {
                        target[f] = part.ValueAt(f, r);
                    }
                }
            }
        }

        AnswerUpTo(long.MaxValue);
        var filled = ApplyFills(spec, features, values);
        return new JoinResult(manifest.View, manifest.ViewVersion, manifest.MaterializationId, "", features, values, eventTicks, filled);
    }

    /// <summary>Puts each feature's fill value (when the view sets one) where a value is missing; returns where it did.</summary>
    private static bool[][] ApplyFills(FeatureViewSpec spec, IReadOnlyList<FeatureColumn> features, object?[][] values)
    {
        var fills = features.Select(c => FillOf(spec.Features.FirstOrDefault(f => f.Name == c.Name), c)).ToArray();
        var filled = new bool[values.Length][];
        for (var i = 0; i < values.Length; i++)
        {
            filled[i] = new bool[features.Count];
            for (var f = 0; f < features.Count; f++)
            {
                if (values[i][f] is null && fills[f] is { } fill)
                {
                    values[i][f] = fill;
                    filled[i][f] = true;
                }
            }
        }

        return filled;
    }

    /// <summary>A feature's fill as the value type of its column, or null.</summary>
    public static object? FillOf(FeatureSpec? feature, FeatureColumn column) => feature?.Fill switch
    {
        { ValueKind: JsonValueKind.Number } n when column.Numeric => n.GetDouble(),
        { ValueKind: JsonValueKind.String } s when !column.Numeric => s.GetString(),
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        _ => null,
    };
}
