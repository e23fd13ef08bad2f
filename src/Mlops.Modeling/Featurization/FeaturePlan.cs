using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Featurization;

/// <summary>How one original column becomes part of the feature vector (the encoding itself is fitted by ML.NET).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
public enum FeatureKind
{
    /// <summary>A number: missing values replaced by the training mean, standardised for linear trainers.</summary>
    [JsonStringEnumMemberName("numeric")] Numeric,
    /// <summary>true/false fed as 1/0 (missing: the training mean).</summary>
    [JsonStringEnumMemberName("boolean")] Boolean,
    /// <summary>A label, one-hot encoded over the training vocabulary; missing and unseen values give all zeros.</summary>
    [JsonStringEnumMemberName("categorical")] Categorical,
    /// <summary>An ISO date or timestamp string, turned into year, month, day, day of week, day of year (and hour).</summary>
    [JsonStringEnumMemberName("date")] Date,
}

/// <summary>One feature column of a plan. Stored as JSON with the model: a wire contract.</summary>
public sealed record FeatureColumn
{
    /// <summary>The original column name (also the ONNX input name).</summary>
    public required string Name { get; init; }

    /// <summary>How the column is encoded.</summary>
    public required FeatureKind Kind { get; init; }

    /// <summary>Date columns: the training values carry a time of day, so the hour is a feature too.</summary>
    public bool HasTime { get; init; }
}

/// <summary>
/// Which columns a model reads and how each enters ML.NET: numbers and booleans as floats, categories as text, dates as
/// their parts (<see cref="DateParts"/>). Everything fitted (means, scales, vocabularies) lives in the ML.NET pipeline,
/// so ML.NET's ONNX converter exports it. Stored as JSON beside the ML.NET model.
/// </summary>
public sealed record FeaturePlan
{
    /// <summary>Categories kept per column (first seen first); others encode as all zeros like unseen values.</summary>
    public const int MaxCategories = 100;

    /// <summary>Format version of this document (2: the featurization is inside the ML.NET model).</summary>
    public int FormatVersion { get; init; } = 2;

    /// <summary>The task the model solves.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>The target column.</summary>
    public required string Target { get; init; }

    /// <summary>Class labels in score order (classification); for binary, index 1 is the positive class.</summary>
    public IReadOnlyList<string> ClassLabels { get; init; } = [];

    /// <summary>The feature columns in input order.</summary>
    public required IReadOnlyList<FeatureColumn> Columns { get; init; }

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

        // Free text carries no signal a one-hot can use; it is a feature only when named. Dates become their parts.
        return schema.Columns
            .Where(c => c.Name != spec.Target && !spec.Ignore.Contains(c.Name) && c.Kind is not ColumnKind.Text)
            .Select(c => c.Name)
            .ToList();
    }

    /// <summary>Chooses the feature columns of <paramref name="train"/> and the class labels.</summary>
    public static FeaturePlan Fit(DataTable train, ProjectSpec spec)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(spec);
        var names = SelectFeatures(train.Schema, spec);
        if (names.Count == 0)
        {
            throw MlopsException.Invalid("features", "minItems", "The spec selects no feature column.");
        }

        var columns = names.Select(name => train[name] switch
        {
            NumericColumn n => new FeatureColumn { Name = n.Name, Kind = FeatureKind.Numeric },
            BooleanColumn b => new FeatureColumn { Name = b.Name, Kind = FeatureKind.Boolean },
            StringColumn { Kind: ColumnKind.Date } d => new FeatureColumn { Name = d.Name, Kind = FeatureKind.Date, HasTime = d.Values.Any(DateParts.HasTime) },
            StringColumn s => new FeatureColumn { Name = s.Name, Kind = FeatureKind.Categorical },
            var other => throw new ArgumentException($"Unsupported column type {other.GetType().Name}.", nameof(train)),
        }).ToList();
        return new FeaturePlan
        {
            Task = spec.Task,
            Target = spec.Target,
            ClassLabels = spec.Task == TaskKind.Regression ? [] : Labels.ClassesOf(train[spec.Target]),
            Columns = columns,
        };
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
