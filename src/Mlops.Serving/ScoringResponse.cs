using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Serving;

/// <summary>
/// The answer of <c>POST /api/models/{name}/predict</c>. <see cref="Predictions"/> holds one entry per input row, in
/// order: for classification a <see cref="ClassPrediction"/> (<c>{"label": "rain", "probabilities": {"rain": 0.8, ...}}</c>),
/// for regression a number, for a model without a known task an object of its raw outputs by name.
/// </summary>
/// <param name="Predictions">One per row: <see cref="ClassPrediction"/>, a number, or raw outputs.</param>
/// <param name="Model">The model and version that answered.</param>
/// <param name="PredictionIds">One id per row (32 hex digits); send it back with the true outcome to <c>/feedback</c>.</param>
/// <param name="Warnings">Ignored columns or fields; absent when none.</param>
public sealed record ScoringResponse(
    IReadOnlyList<object> Predictions,
    ModelRef Model,
    IReadOnlyList<string> PredictionIds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings = null)
{
    /// <summary>Per row, for the feature-view features the model uses: <c>request</c>, <c>store</c> (online store) or <c>fill</c> (the view's fill value); absent when the model uses no views.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? FeatureSources { get; init; }
}

/// <summary>Which model version answered.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Version number.</param>
public sealed record ModelRef(string Name, int Version);

/// <summary>A classification prediction for one row.</summary>
/// <param name="Label">The predicted class.</param>
/// <param name="Probabilities">Probability per class label (they sum to 1).</param>
public sealed record ClassPrediction(string Label, IReadOnlyDictionary<string, float> Probabilities);

/// <summary>
/// A predict request body, for the OpenAPI document: exactly one of the four shapes, optionally wrapped in
/// <see cref="InputData"/>. Values are JSON numbers, strings, booleans or null per column.
/// </summary>
public sealed record ScoringRequest
{
    /// <summary>Rows: <c>[{"temp_max": 12.8, ...}, ...]</c>.</summary>
    [JsonPropertyName("instances")]
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? Instances { get; init; }

    /// <summary>Column → list of values (<c>{"temp_max": [12.8, 10.6]}</c>), or rows.</summary>
    [JsonPropertyName("inputs")]
    public JsonElement? Inputs { get; init; }

    /// <summary>Rows (pandas <c>orient="records"</c>).</summary>
    [JsonPropertyName("dataframe_records")]
    public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>? DataframeRecords { get; init; }

    /// <summary>Columns and row-major data (pandas <c>orient="split"</c>).</summary>
    [JsonPropertyName("dataframe_split")]
    public DataframeSplit? DataframeSplit { get; init; }

    /// <summary>The Azure ML wrapper: one of the shapes above, a split object, or a list of rows.</summary>
    [JsonPropertyName("input_data")]
    public JsonElement? InputData { get; init; }
}

/// <summary>The <c>dataframe_split</c> shape.</summary>
/// <param name="Columns">Column names.</param>
/// <param name="Data">Rows, each a list of values in column order.</param>
/// <param name="Index">Optional row labels (ignored).</param>
public sealed record DataframeSplit(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<JsonElement>> Data, IReadOnlyList<JsonElement>? Index = null);

/// <summary>JSON settings of serving responses and logged outputs: camelCase, nulls left out (matches the app's).</summary>
public static class ServingJson
{
    /// <summary>The options.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
