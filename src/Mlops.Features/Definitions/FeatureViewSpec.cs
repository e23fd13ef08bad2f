using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Features.Definitions;

/// <summary>
/// A feature view as declared data (DESIGN.md §10): which rows it reads (<see cref="Source"/>), how they are keyed
/// (<see cref="Entities"/>, <see cref="Timestamp"/>), what it computes (<see cref="Features"/>), how stale a value may be
/// (<see cref="Ttl"/>) and when it is materialised (<see cref="Schedule"/>). Stored as JSON, camelCase: a wire contract.
/// </summary>
public sealed record FeatureViewSpec
{
    /// <summary>The entity key column(s) of the source, in key order (online keys join them with <c>|</c>).</summary>
    public IReadOnlyList<string> Entities { get; init; } = [];

    /// <summary>The event-time column of the source.</summary>
    public string Timestamp { get; init; } = "";

    /// <summary>Where the rows come from.</summary>
    public FeatureSourceRef Source { get; init; } = new();

    /// <summary>ISO 8601 duration (<c>P30D</c>, <c>PT12H</c>): a value older than this at lookup time is missing; null = never stale.</summary>
    public string? Ttl { get; init; }

    /// <summary>The features, in order; an expression may use the features before it.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; init; } = [];

    /// <summary>Six-field NCRONTAB materialisation schedule; null = only after each accepted source upload (and on request).</summary>
    public string? Schedule { get; init; }
}

/// <summary>The source of a view: exactly one of a project's accepted dataset versions or a feature-source stream.</summary>
public sealed record FeatureSourceRef
{
    /// <summary>A project whose accepted dataset versions are the rows.</summary>
    public string? Project { get; init; }

    /// <summary>A stream fed by <c>POST /api/feature-sources/{stream}/data</c>.</summary>
    public string? Stream { get; init; }

    /// <summary><c>project:flights</c> or <c>stream:clicks</c>, for messages and keys.</summary>
    public override string ToString() => Project is not null ? "project:" + Project : "stream:" + Stream;
}

/// <summary>
/// One feature: a source column as is (<see cref="Column"/> only), a lag (<see cref="Lag"/>), an aggregate over the
/// entity's earlier rows (<see cref="Aggregate"/> with <see cref="Window"/> or <see cref="Rows"/>), or an arithmetic
/// <see cref="Expression"/> over source columns and earlier features.
/// </summary>
public sealed record FeatureSpec
{
    /// <summary>The feature's name: a column name in training sets and predict requests.</summary>
    public string Name { get; init; } = "";

    /// <summary>The source column it reads.</summary>
    public string? Column { get; init; }

    /// <summary>mean, min, max, sum or count over the entity's earlier rows.</summary>
    public string? Aggregate { get; init; }

    /// <summary>ISO 8601 duration of a time window: rows with event time in (t − window, t), the row's own time excluded.</summary>
    public string? Window { get; init; }

    /// <summary>A row-count window: the entity's previous N rows (with an earlier event time).</summary>
    public int? Rows { get; init; }

    /// <summary>The value of the entity's k-th previous row (with an earlier event time).</summary>
    public int? Lag { get; init; }

    /// <summary>An arithmetic expression: numbers, source columns and earlier features, <c>+ - * /</c>, parentheses, <c>abs</c>, <c>log</c>, <c>sqrt</c>, <c>min</c>, <c>max</c>.</summary>
    public string? Expression { get; init; }

    /// <summary>Used at serving and in training joins when the value is missing or stale (a number or a string); null = no fill.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Fill { get; init; }

    /// <summary>What kind of feature this is.</summary>
    [JsonIgnore]
    public FeatureKind Kind => Expression is not null ? FeatureKind.Expression
        : Aggregate is not null ? FeatureKind.Aggregate
        : Lag is not null ? FeatureKind.Lag
        : FeatureKind.Column;
}

/// <summary>The kinds of feature.</summary>
public enum FeatureKind
{
    /// <summary>The source column as is.</summary>
    Column,
    /// <summary>The k-th previous row's value.</summary>
    Lag,
    /// <summary>An aggregate over a time or row window.</summary>
    Aggregate,
    /// <summary>Arithmetic over the row.</summary>
    Expression,
}

/// <summary>The JSON options views are stored with (part of the contract; never the HTTP API's).</summary>
public static class FeatureJson
{
    /// <summary>camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
