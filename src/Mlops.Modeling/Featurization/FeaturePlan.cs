using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Featurization;

/// <summary>How one original column becomes part of the feature vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
public enum FeatureKind
{
    /// <summary>A number: missing values imputed with the training mean, optionally standardised. One slot.</summary>
    [JsonStringEnumMemberName("numeric")] Numeric,
    /// <summary>true/false as 1/0 (missing: the training majority). One slot.</summary>
    [JsonStringEnumMemberName("boolean")] Boolean,
    /// <summary>A label, one-hot encoded over the training vocabulary; missing and unseen values give all zeros.</summary>
    [JsonStringEnumMemberName("categorical")] Categorical,
}

/// <summary>The fitted parameters of one feature column. Stored as JSON with the model: a wire contract.</summary>
public sealed record FeatureColumn
{
    /// <summary>The original column name (also the ONNX input name).</summary>
    public required string Name { get; init; }

    /// <summary>How the column is encoded.</summary>
    public required FeatureKind Kind { get; init; }

    /// <summary>Value that replaces a missing number (numeric and boolean columns).</summary>
    public float ImputeValue { get; init; }

    /// <summary>Subtracted before <see cref="Scale"/> (0 when the trainer needs no normalisation).</summary>
    public float Offset { get; init; }

    /// <summary>Multiplier after <see cref="Offset"/> (1 when the trainer needs no normalisation).</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>The one-hot vocabulary of a categorical column, in slot order.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];
}

/// <summary>
/// The featurization of a model, fitted on the training split only: per numeric column an impute value and an optional
/// scale/offset, per categorical column a vocabulary. It is applied here in C# for ML.NET and written as ONNX operators
/// by the exporter, so both see exactly the same float vector. Layout: numeric and boolean columns first (one slot
/// each, in feature order), then each categorical column's one-hot block (in feature order).
/// </summary>
public sealed record FeaturePlan
{
    /// <summary>Categories kept per column (most frequent first); rarer ones encode as all zeros like unseen values.</summary>
    public const int MaxCategories = 100;

    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The task the model solves.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>The target column.</summary>
    public required string Target { get; init; }

    /// <summary>Class labels in score order (classification); for binary, index 1 is the positive class.</summary>
    public IReadOnlyList<string> ClassLabels { get; init; } = [];

    /// <summary>The feature columns in input order.</summary>
    public required IReadOnlyList<FeatureColumn> Columns { get; init; }

    /// <summary>Length of the feature vector.</summary>
    [JsonIgnore]
    public int VectorLength => Columns.Sum(c => c.Kind == FeatureKind.Categorical ? c.Categories.Count : 1);

    /// <summary>The columns that fill one slot each (numeric, boolean), in slot order.</summary>
    [JsonIgnore]
    public IEnumerable<FeatureColumn> ScalarColumns => Columns.Where(c => c.Kind != FeatureKind.Categorical);

    /// <summary>The one-hot columns, in block order.</summary>
    [JsonIgnore]
    public IEnumerable<FeatureColumn> CategoricalColumns => Columns.Where(c => c.Kind == FeatureKind.Categorical);

    /// <summary>The feature column names the spec selects from a table's columns.</summary>
    public static IReadOnlyList<string> SelectFeatures(DatasetSchema schema, ProjectSpec spec)
    {
        if (spec.Features is { } named)
        {
            var missing = named.Where(n => schema.Find(n) is null).ToList();
            if (missing.Count > 0)
            {
                throw MlopsException.Invalid(missing.Select(m => new RuleViolation(m, "required", $"Feature column '{m}' is not in the dataset.")).ToList());
            }

            return named.Where(n => n != spec.Target).ToList();
        }

        // Dates and free text carry no signal a one-hot can use; they are features only when named.
        return schema.Columns
            .Where(c => c.Name != spec.Target && !spec.Ignore.Contains(c.Name) && c.Kind is not (ColumnKind.Date or ColumnKind.Text))
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>Fits the plan on <paramref name="train"/>; <paramref name="normalize"/> standardises numeric columns (linear trainers).</summary>
    public static FeaturePlan Fit(DataTable train, ProjectSpec spec, bool normalize)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(spec);
        var names = SelectFeatures(train.Schema, spec);
        if (names.Count == 0)
        {
            throw MlopsException.Invalid("features", "minItems", "The spec selects no feature column.");
        }

        var columns = new List<FeatureColumn>();
        foreach (var name in names)
        {
            columns.Add(train[name] switch
            {
                NumericColumn n => FitNumeric(n, normalize),
                BooleanColumn b => new FeatureColumn
                {
                    Name = b.Name,
                    Kind = FeatureKind.Boolean,
                    ImputeValue = b.Values.Count(v => v == true) > b.Values.Count(v => v == false) ? 1f : 0f,
                },
                StringColumn s => new FeatureColumn { Name = s.Name, Kind = FeatureKind.Categorical, Categories = Vocabulary(s.Values) },
                var other => throw new ArgumentException($"Unsupported column type {other.GetType().Name}.", nameof(train)),
            });
        }

        // Scalars first, then one-hot blocks: the exporter concatenates in exactly this order.
        var ordered = columns.Where(c => c.Kind != FeatureKind.Categorical).Concat(columns.Where(c => c.Kind == FeatureKind.Categorical)).ToList();
        return new FeaturePlan
        {
            Task = spec.Task,
            Target = spec.Target,
            ClassLabels = spec.Task == TaskKind.Regression ? [] : Labels.ClassesOf(train[spec.Target]),
            Columns = ordered,
        };
    }

    private static FeatureColumn FitNumeric(NumericColumn column, bool normalize)
    {
        var present = column.Values.Where(v => !double.IsNaN(v)).ToArray();
        var mean = present.Length == 0 ? 0d : present.Average();
        var offset = 0f;
        var scale = 1f;
        if (normalize && present.Length > 1)
        {
            var std = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1));
            offset = (float)mean;
            scale = std > 1e-12 ? (float)(1d / std) : 1f;
        }

        return new FeatureColumn { Name = column.Name, Kind = FeatureKind.Numeric, ImputeValue = (float)mean, Offset = offset, Scale = scale };
    }

    private static IReadOnlyList<string> Vocabulary(string?[] values) =>
        values.Where(v => !string.IsNullOrEmpty(v))
            .GroupBy(v => v!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(MaxCategories)
            .Select(g => g.Key)
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The feature vectors of <paramref name="table"/>, row-major (<c>RowCount × VectorLength</c>). Float arithmetic
    /// mirrors the ONNX Imputer and Scaler operators step by step so exported models see the same bits.
    /// </summary>
    public float[] Transform(DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var width = VectorLength;
        var result = new float[table.RowCount * width];
        var slot = 0;
        foreach (var column in ScalarColumns)
        {
            var data = table.Contains(column.Name) ? table[column.Name] : throw MlopsException.Invalid(column.Name, "required", $"Column '{column.Name}' is missing.");
            for (var row = 0; row < table.RowCount; row++)
            {
                var raw = data switch
                {
                    NumericColumn n => double.IsNaN(n.Values[row]) ? float.NaN : (float)n.Values[row],
                    BooleanColumn b => b.Values[row] is { } v ? (v ? 1f : 0f) : float.NaN,
                    _ => throw MlopsException.Invalid(column.Name, "type", $"Column '{column.Name}' must be {column.Kind.ToString().ToLowerInvariant()}."),
                };
                result[(row * width) + slot] = Encode(column, raw);
            }

            slot++;
        }

        foreach (var column in CategoricalColumns)
        {
            var data = table.Contains(column.Name) ? table[column.Name] : throw MlopsException.Invalid(column.Name, "required", $"Column '{column.Name}' is missing.");
            var strings = data as StringColumn ?? throw MlopsException.Invalid(column.Name, "type", $"Column '{column.Name}' must be categorical.");
            var index = column.Categories.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            for (var row = 0; row < table.RowCount; row++)
            {
                if (strings.Values[row] is { } value && index.TryGetValue(value, out var hot))
                {
                    result[(row * width) + slot + hot] = 1f;
                }
            }

            slot += column.Categories.Count;
        }

        return result;
    }

    /// <summary>Impute, then offset and scale, in float, as ONNX Imputer then Scaler compute it.</summary>
    internal static float Encode(FeatureColumn column, float raw)
    {
        var imputed = float.IsNaN(raw) ? column.ImputeValue : raw;
        return column.Offset == 0f && column.Scale == 1f ? imputed : (imputed - column.Offset) * column.Scale;
    }

    /// <summary>The plan as stored JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ModelingJson.Options);

    /// <summary>Reads a stored plan.</summary>
    public static FeaturePlan FromJson(string json) =>
        JsonSerializer.Deserialize<FeaturePlan>(json, ModelingJson.Options) ?? throw new ArgumentException("Empty feature plan.", nameof(json));
}

/// <summary>Target values as class labels.</summary>
public static class Labels
{
    /// <summary>The label of row <paramref name="row"/>, or null when missing.</summary>
    public static string? LabelAt(DataColumn target, int row) => target switch
    {
        StringColumn s => string.IsNullOrEmpty(s.Values[row]) ? null : s.Values[row],
        BooleanColumn b => b.Values[row] is { } v ? (v ? "true" : "false") : null,
        NumericColumn n => double.IsNaN(n.Values[row]) ? null : n.Values[row].ToString("R", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The number at row <paramref name="row"/> of a regression target (NaN when missing).</summary>
    public static double ValueAt(DataColumn target, int row) => target switch
    {
        NumericColumn n => n.Values[row],
        _ => throw MlopsException.Invalid(target.Name, "type", $"Regression target '{target.Name}' must be numeric."),
    };

    /// <summary>True when row <paramref name="row"/> has a target value.</summary>
    public static bool HasTarget(DataColumn target, int row) => LabelAt(target, row) is not null;

    /// <summary>Distinct labels, ordinal order.</summary>
    public static IReadOnlyList<string> ClassesOf(DataColumn target) =>
        Enumerable.Range(0, target.Length).Select(i => LabelAt(target, i)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}

/// <summary>The JSON options for stored modeling documents (plans, signatures, candidates): camelCase, enums as strings.</summary>
public static class ModelingJson
{
    /// <summary>The options (part of the contract).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
