using System.Collections.Concurrent;
using System.Text.Json;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Features;
using Mlops.Features.Definitions;
using Mlops.Features.Offline;
using Mlops.Serving;

namespace Mlops.FunctionApp.Features;

/// <summary>
/// Completes predict rows from the online store: for each feature view the model's project spec (at the version it
/// was trained with) names, a row that lacks some of the view's features the model takes, but carries the view's
/// entity key(s), gets them from the store. Values sent in the row win. A missing or stale entity is a 404 / 400 naming
/// the entity and the view, unless the view sets a <c>fill</c> for every feature it lacks.
/// </summary>
internal sealed class OnlineFeatureFiller(FeatureStore store, CatalogServices catalog, TimeProvider time) : IPredictionInputFiller
{
    private static readonly TimeSpan PlanLifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string, int), (DateTimeOffset At, IReadOnlyList<ViewUse> Uses)> _plans = new();

    public async ValueTask<FilledInput> FillAsync(LoadedModel model, ScoringInput input, CancellationToken cancellationToken)
    {
        var uses = await UsesAsync(model, cancellationToken).ConfigureAwait(false);
        if (uses.Count == 0)
        {
            return new FilledInput(input, null);
        }

        var lookups = new Dictionary<(string View, string Entity), OnlineLookup?>();
        var rows = new List<IReadOnlyDictionary<string, JsonElement>>(input.RowCount);
        var sources = new List<IReadOnlyDictionary<string, string>>(input.RowCount);
        for (var r = 0; r < input.RowCount; r++)
        {
            var row = new Dictionary<string, JsonElement>(input.RowAt(r), StringComparer.Ordinal);
            var source = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var use in uses)
            {
                var lacking = use.Features.Where(f => !row.TryGetValue(f.Name, out var v) || v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined).ToList();
                foreach (var f in use.Features.Except(lacking))
                {
                    source[f.Name] = "request";
                }

                if (lacking.Count == 0)
                {
                    continue;
                }

                var parts = use.Entities.Select(e => row.TryGetValue(e, out var v) ? Text(v) : null).ToArray();
                var entity = EntityKey.Join(parts);
                if (entity is null)
                {
                    var keyColumn = use.Entities[Array.FindIndex(parts, string.IsNullOrEmpty)];
                    throw MlopsException.Invalid($"[{r}].{keyColumn}", "required",
                        $"Row {r} lacks feature(s) {string.Join(", ", lacking.Select(f => f.Name))} of feature view '{use.View}' and its entity key '{keyColumn}' to look them up.");
                }

                if (!lookups.TryGetValue((use.View, entity), out var lookup))
                {
                    try
                    {
                        lookup = await store.GetOnlineAsync(use.View, entity, cancellationToken).ConfigureAwait(false);
                    }
                    catch (MlopsException ex) when (ex.Code == ErrorCode.NotFound)
                    {
                        lookup = null;
                    }

                    lookups[(use.View, entity)] = lookup;
                }

                foreach (var f in lacking)
                {
                    var value = lookup is { Stale: false } && lookup.Values.TryGetValue(f.Name, out var stored) && stored.ValueKind != JsonValueKind.Null ? stored : (JsonElement?)null;
                    if (value is { } v)
                    {
                        row[f.Name] = v;
                        source[f.Name] = "store";
                    }
                    else if (f.Fill is { } fill)
                    {
                        row[f.Name] = fill;
                        source[f.Name] = "fill";
                    }
                    else if (lookup is null)
                    {
                        throw MlopsException.NotFound($"Entity '{entity}' of row {r} has no values in feature view '{use.View}', and '{f.Name}' has no fill value: send the feature, or materialise the view.");
                    }
                    else
                    {
                        throw new MlopsException(ErrorCode.InvalidInput,
                            lookup.Stale
                                ? $"The values of entity '{entity}' in feature view '{use.View}' are stale (event time {lookup.EventTime:O}, TTL {lookup.Ttl}), and '{f.Name}' has no fill value."
                                : $"Entity '{entity}' has no value of '{f.Name}' in feature view '{use.View}', and it has no fill value.",
                            [new RuleViolation($"[{r}].{f.Name}", lookup.Stale ? "stale" : "missing", $"Feature '{f.Name}' of view '{use.View}' for entity '{entity}' is {(lookup.Stale ? "stale" : "missing")}.")]);
                    }
                }
            }

            rows.Add(row);
            sources.Add(source);
        }

        return new FilledInput(ScoringInput.FromRows(input.Shape, rows, input.Warnings), sources);
    }

    /// <summary>Which views the model reads and which of their features it takes (cached briefly per model version).</summary>
    private async Task<IReadOnlyList<ViewUse>> UsesAsync(LoadedModel model, CancellationToken ct)
    {
        var key = (model.Name, model.Number);
        if (_plans.TryGetValue(key, out var cached) && time.GetUtcNow() - cached.At < PlanLifetime)
        {
            return cached.Uses;
        }

        var uses = new List<ViewUse>();
        var card = model.Version.Card;
        if (card.Project is { } project && card.Data.SpecVersion is { } specVersion &&
            await catalog.Projects.FindAsync(project, specVersion, ct).ConfigureAwait(false) is { Spec.FeatureViews: { Count: > 0 } views })
        {
            var inputs = model.Signature.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var view in views)
            {
                var definition = await store.Views.FindAsync(view, cancellationToken: ct).ConfigureAwait(false);
                if (definition is null)
                {
                    continue;
                }

                var features = definition.Spec.Features.Where(f => inputs.Contains(f.Name))
                    .Select(f => new FeatureUse(f.Name, FillElement(f))).ToList();
                if (features.Count > 0)
                {
                    uses.Add(new ViewUse(view, definition.Spec.Entities, features));
                }
            }
        }

        _plans[key] = (time.GetUtcNow(), uses);
        return uses;
    }

    private static JsonElement? FillElement(FeatureSpec f) => f.Fill is { ValueKind: JsonValueKind.Number or JsonValueKind.String } fill ? fill : null;

    private static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private sealed record FeatureUse(string Name, JsonElement? Fill);

    private sealed record ViewUse(string View, IReadOnlyList<string> Entities, IReadOnlyList<FeatureUse> Features);
}
