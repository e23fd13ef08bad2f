using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Catalog;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Features.Computation;
using Mlops.Features.Definitions;
using Mlops.Features.Join;
using Mlops.Features.Materialization;
using Mlops.Features.Offline;
using Mlops.Features.Online;
using Mlops.Features.Sources;

namespace Mlops.Features;

/// <summary>An online lookup: the entity's latest values with their event time and freshness.</summary>
/// <param name="View">The view.</param>
/// <param name="Entity">The entity key.</param>
/// <param name="EventTime">The event time the values are as of.</param>
/// <param name="AgeSeconds">Seconds between that event time and now.</param>
/// <param name="Ttl">The view's TTL (ISO 8601), or null when values never go stale.</param>
/// <param name="Stale">True when older than the TTL: serving treats the values as missing.</param>
/// <param name="ViewVersion">The view version that computed them.</param>
/// <param name="MaterializationId">The materialisation that wrote them.</param>
/// <param name="Values">Feature → value (null = missing).</param>
public sealed record OnlineLookup(string View, string Entity, DateTimeOffset EventTime, double AgeSeconds, string? Ttl, bool Stale, int ViewVersion, string MaterializationId,
    IReadOnlyDictionary<string, JsonElement> Values);

/// <summary>The answer of <c>POST /api/features/{view}/historical</c>.</summary>
/// <param name="View">The view.</param>
/// <param name="Version">Its version.</param>
/// <param name="MaterializationId">The materialisation joined.</param>
/// <param name="Manifest">Its manifest.</param>
/// <param name="Rows">The request rows, in order, each with the features as of its own timestamp (null = missing) and <c>_featureTime</c>.</param>
public sealed record HistoricalResponse(string View, int Version, string MaterializationId, string Manifest, IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows);

/// <summary>
/// The feature store's services over one storage account: definitions, sources, materialisation, offline joins and
/// online lookups. One instance per process.
/// </summary>
public sealed class FeatureStore
{
    /// <summary>How long online lookups reuse a view's definition (its TTL) before reading it again.</summary>
    public static readonly TimeSpan DefinitionLifetime = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DateTimeOffset At, FeatureViewVersion Definition)> _definitions = new(StringComparer.Ordinal);

    /// <summary>Builds the store's services over the catalog's account.</summary>
    public FeatureStore(CatalogServices catalog, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Catalog = catalog;
        Views = new FeatureViewCatalog(catalog.Account.Tables, _time);
        Sources = new FeatureSourceStore(catalog.Account.Tables, catalog.Account.Blobs, _time);
        Offline = new OfflineStore(catalog.Account.Blobs);
        Online = new OnlineStore(catalog.Account.Tables);
        Materializer = new Materializer(Views, catalog, Sources, Offline, Online, _time);
        Joiner = new PointInTimeJoiner(Views, Offline);
        TrainingSets = new TrainingSetJoiner(Views, Joiner, Materializer);
    }

    /// <summary>The catalog underneath.</summary>
    public CatalogServices Catalog { get; }

    /// <summary>View definitions and materialisation records.</summary>
    public FeatureViewCatalog Views { get; }

    /// <summary>Feature-source streams.</summary>
    public FeatureSourceStore Sources { get; }

    /// <summary>The Parquet offline store.</summary>
    public OfflineStore Offline { get; }

    /// <summary>The Table online store.</summary>
    public OnlineStore Online { get; }

    /// <summary>Materialisation steps.</summary>
    public Materializer Materializer { get; }

    /// <summary>Point-in-time joins.</summary>
    public PointInTimeJoiner Joiner { get; }

    /// <summary>Training-set joins.</summary>
    public TrainingSetJoiner TrainingSets { get; }

    /// <summary>
    /// Validates and stores a view definition for <paramref name="project"/>: 400 naming each bad field, including columns
    /// its source lacks when the source already has data; 404 when the source project does not exist.
    /// </summary>
    public async Task<FeatureViewVersion> PutViewAsync(string project, string view, string json, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(project, "project");
        ResourceName.Require(view, "view");
        _ = await Catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        var spec = FeatureViewParser.Parse(json);
        if (await SourceColumnsAsync(spec, cancellationToken).ConfigureAwait(false) is { } columns)
        {
            FeatureViewParser.ValidateAgainst(spec, columns);
        }

        return await Views.PutAsync(project, view, spec, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The columns of the view's source (newest partition), or null when it has no data yet.</summary>
    public async Task<IReadOnlyDictionary<string, ColumnKind>?> SourceColumnsAsync(FeatureViewSpec spec, CancellationToken cancellationToken = default)
    {
        DatasetSchema? schema = null;
        if (spec.Source.Project is { } project)
        {
            _ = await Catalog.Projects.FindAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false)
                ?? throw MlopsException.Invalid("source.project", "exists", $"Project '{project}' does not exist.");
            schema = (await Catalog.Datasets.FindLatestAsync(project, cancellationToken).ConfigureAwait(false))?.Schema;
        }
        else
        {
            await foreach (var upload in Sources.ListAsync(spec.Source.Stream!, cancellationToken).ConfigureAwait(false))
            {
                schema = upload.Schema;
            }
        }

        return schema?.Columns.ToDictionary(c => c.Name, c => c.Kind, StringComparer.Ordinal);
    }

    /// <summary>The online values of an entity, with freshness; 404 naming the entity and the view when there are none.</summary>
    public async Task<OnlineLookup> GetOnlineAsync(string view, string entity, CancellationToken cancellationToken = default)
    {
        var definition = await CachedDefinitionAsync(view, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(entity))
        {
            throw MlopsException.Invalid("entity", "required", "The entity key is empty.");
        }

        var value = await Online.GetAsync(view, entity, cancellationToken).ConfigureAwait(false)
                    ?? throw MlopsException.NotFound($"Entity '{entity}' has no values in feature view '{view}' (never seen, or not materialised yet).");
        var age = _time.GetUtcNow() - value.EventTime;
        var ttl = definition.Spec.Ttl is null ? (TimeSpan?)null : IsoDuration.Parse(definition.Spec.Ttl);
        return new OnlineLookup(view, value.Entity, value.EventTime, Math.Round(age.TotalSeconds, 3), definition.Spec.Ttl, ttl is { } t && age > t,
            value.ViewVersion, value.MaterializationId, value.Values);
    }

    /// <summary>
    /// <c>POST /api/features/{view}/historical</c>: <c>{"rows": [{entity columns..., timestamp column...}, ...]}</c>; each row's
    /// features as of its own timestamp, in request order. 400 naming the row and field for a missing key or a bad time.
    /// </summary>
    public async Task<HistoricalResponse> GetHistoricalAsync(string view, JsonElement body, CancellationToken cancellationToken = default)
    {
        var definition = await Views.GetAsync(view, cancellationToken: cancellationToken).ConfigureAwait(false);
        var spec = definition.Spec;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("rows", out var rowsElement) || rowsElement.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid("rows", "required", "The body must be {\"rows\": [{...}, ...]} with each row's entity key(s) and timestamp.");
        }

        var requests = new List<JoinRow>();
        var echoes = new List<Dictionary<string, object?>>();
        var errors = new List<RuleViolation>();
        var index = 0;
        foreach (var row in rowsElement.EnumerateArray())
        {
            var at = $"rows[{index}]";
            if (row.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(at, "type", $"Row {index} must be an object."));
                index++;
                continue;
            }

            var parts = new string?[spec.Entities.Count];
            for (var e = 0; e < parts.Length; e++)
            {
                parts[e] = row.TryGetProperty(spec.Entities[e], out var v) ? Text(v) : null;
                if (string.IsNullOrEmpty(parts[e]))
                {
                    errors.Add(new($"{at}.{spec.Entities[e]}", "required", $"Row {index} lacks the entity key '{spec.Entities[e]}' of view '{view}'."));
                }
            }

            long ticks = 0;
            if (!row.TryGetProperty(spec.Timestamp, out var time) || Text(time) is not { } text || !EventTime.TryParse(text, out ticks))
            {
                errors.Add(new($"{at}.{spec.Timestamp}", "timestamp", $"Row {index} needs '{spec.Timestamp}' as a date-time (ISO 8601)."));
            }

            requests.Add(new JoinRow(EntityKey.Join(parts), ticks));
            echoes.Add(row.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal));
            index++;
            if (errors.Count >= 20)
            {
                break;
            }
        }

        if (errors.Count > 0)
        {
            throw MlopsException.Invalid(errors);
        }

        if (requests.Count > 100_000)
        {
            throw new MlopsException(ErrorCode.TooLarge, "At most 100,000 rows per request.");
        }

        var result = await Joiner.JoinAsync(view, requests, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < echoes.Count; i++)
        {
            for (var f = 0; f < result.Features.Count; f++)
            {
                echoes[i][result.Features[f].Name] = result.Values[i][f];
            }

            echoes[i]["_featureTime"] = result.EventTicks[i] is { } t ? EventTime.ToDateTimeOffset(t) : null;
        }

        return new HistoricalResponse(view, result.ViewVersion, result.MaterializationId, result.Manifest, echoes);
    }

    /// <summary>
    /// The view's latest definition, reused for <see cref="DefinitionLifetime"/>: the online path reads it on every lookup
    /// only for the TTL, and two table reads per lookup were most of its latency (bench/RESULTS.md).
    /// </summary>
    private async Task<FeatureViewVersion> CachedDefinitionAsync(string view, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_definitions.TryGetValue(view, out var cached) && now - cached.At < DefinitionLifetime)
        {
            return cached.Definition;
        }

        var definition = await Views.GetAsync(view, cancellationToken: cancellationToken).ConfigureAwait(false);
        _definitions[view] = (now, definition);
        return definition;
    }

    private static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}

/// <summary>Registration in a DI container.</summary>
public static class FeatureStoreServiceCollectionExtensions
{
    /// <summary>Adds <see cref="FeatureStore"/> (over the registered <see cref="CatalogServices"/>) and its parts as singletons.</summary>
    public static IServiceCollection AddMlopsFeatureStore(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new FeatureStore(sp.GetRequiredService<CatalogServices>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<FeatureStore>().Materializer);
        services.TryAddSingleton(sp => sp.GetRequiredService<FeatureStore>().TrainingSets);
        return services;
    }
}
