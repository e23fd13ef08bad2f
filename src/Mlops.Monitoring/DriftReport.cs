using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Core.Projects;

namespace Mlops.Monitoring;

/// <summary>The outcome for one feature or for the whole window.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftVerdict>))]
public enum DriftVerdict
{
    /// <summary>No threshold was crossed.</summary>
    [JsonStringEnumMemberName("noDrift")] NoDrift,
    /// <summary>A threshold was crossed (see the reason).</summary>
    [JsonStringEnumMemberName("drift")] Drift,
    /// <summary>The window held no values for the feature (or for any feature).</summary>
    [JsonStringEnumMemberName("notEnoughData")] NotEnoughData,
}

/// <summary>How a feature is compared.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeatureKind>))]
public enum FeatureKind
{
    /// <summary>PSI on the reference quantile bins, KS, Wasserstein.</summary>
    [JsonStringEnumMemberName("numeric")] Numeric,
    /// <summary>Chi-square homogeneity and PSI on the reference categories.</summary>
    [JsonStringEnumMemberName("categorical")] Categorical,
}

/// <summary>
/// When a feature counts as drifted (DESIGN.md §6). Windows with more than <see cref="SmallWindowRows"/> values
/// decide on effect sizes (any of PSI, KS D, normalized Wasserstein over its threshold); smaller windows decide on
/// the tests' p-values (KS for numeric, chi-square for categorical, below <see cref="KsPValue"/>).
/// </summary>
public sealed record DriftThresholds
{
    /// <summary>PSI above which a feature drifted (large windows; numeric and categorical). From the project spec.</summary>
    public double Psi { get; init; } = 0.2;

    /// <summary>p-value below which a feature drifted (small windows). From the project spec.</summary>
    public double KsPValue { get; init; } = 0.01;

    /// <summary>
    /// KS D above which a numeric feature drifted (large windows). 0.15 is roughly what a 0.4σ mean shift of a normal
    /// gives, the same order of change as PSI 0.2.
    /// </summary>
    public double KsStatistic { get; init; } = 0.15;

    /// <summary>Wasserstein distance divided by the reference standard deviation above which a numeric feature drifted (large windows).</summary>
    public double NormalizedWasserstein { get; init; } = 0.3;

    /// <summary>Windows with at most this many values of a feature are judged by p-values.</summary>
    public int SmallWindowRows { get; init; } = 1000;

    /// <summary>The spec's thresholds with the monitoring defaults for the rest.</summary>
    public static DriftThresholds From(DriftThreshold spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new DriftThresholds { Psi = spec.Psi, KsPValue = spec.KsPValue };
    }
}

/// <summary>
/// One drift check of one model version over one window of logged inputs: the wire contract of
/// <c>GET /api/models/{name}/monitoring</c> and of the stored report (camelCase, <see cref="MonitoringJson.Options"/>).
/// Add fields, never rename.
/// </summary>
public sealed record DriftReport
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Registered model name.</summary>
    public required string ModelName { get; init; }

    /// <summary>Model version whose training profile is the reference.</summary>
    public required int ModelVersion { get; init; }

    /// <summary>First instant of the window (inclusive).</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>End of the window (exclusive).</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Rows in the reference dataset.</summary>
    public required long ReferenceRows { get; init; }

    /// <summary>Rows in the window (the largest per-feature count, missing values included).</summary>
    public required long CurrentRows { get; init; }

    /// <summary>Drift when any feature drifted; notEnoughData when no feature had a value.</summary>
    public required DriftVerdict Verdict { get; init; }

    /// <summary>The features that drifted, in feature order.</summary>
    public required IReadOnlyList<string> DriftedFeatures { get; init; }

    /// <summary>The thresholds applied.</summary>
    public required DriftThresholds Thresholds { get; init; }

    /// <summary>One entry per feature, in feature order.</summary>
    public required IReadOnlyList<FeatureDrift> Features { get; init; }
}

/// <summary>The figures and verdict for one feature. Fields that do not apply to the kind are null (and omitted in JSON).</summary>
public sealed record FeatureDrift
{
    /// <summary>Feature (column) name.</summary>
    public required string Name { get; init; }

    /// <summary>Numeric or categorical.</summary>
    public required FeatureKind Kind { get; init; }

    /// <summary>Values in the reference column (PSI and chi-square reference n).</summary>
    public required long ReferenceN { get; init; }

    /// <summary>Size of the reference sample KS and Wasserstein compare with (numeric only).</summary>
    public int? ReferenceSampleN { get; init; }

    /// <summary>Values of the feature in the window.</summary>
    public required long CurrentN { get; init; }

    /// <summary>Missing or unreadable values of the feature in the window.</summary>
    public required long CurrentMissing { get; init; }

    /// <summary>Population stability index (reference quantile bins or categories; empty buckets floored at 1e-4).</summary>
    public double? Psi { get; init; }

    /// <summary>Two-sample KS statistic D against the reference sample (exact for the whole window).</summary>
    public double? KsStatistic { get; init; }

    /// <summary>Two-sided KS p-value.</summary>
    public double? KsPValue { get; init; }

    /// <summary>How the KS p-value was computed: exact (max(n, m) ≤ 10,000) or asymptotic.</summary>
    public string? KsMethod { get; init; }

    /// <summary>Pearson chi-square statistic of homogeneity, reference vs window (categorical only).</summary>
    public double? ChiSquare { get; init; }

    /// <summary>Chi-square p-value.</summary>
    public double? ChiSquarePValue { get; init; }

    /// <summary>Chi-square degrees of freedom.</summary>
    public int? Dof { get; init; }

    /// <summary>1-Wasserstein distance between the reference sample and the window, in the feature's units.</summary>
    public double? Wasserstein { get; init; }

    /// <summary>Wasserstein divided by the reference standard deviation (null when that is zero).</summary>
    public double? NormalizedWasserstein { get; init; }

    /// <summary>Upper bound on the absolute error of <see cref="Wasserstein"/> (0 when exact).</summary>
    public double? WassersteinErrorBound { get; init; }

    /// <summary>Mean of the window's values (numeric only).</summary>
    public double? CurrentMean { get; init; }

    /// <summary>Mean of the reference (numeric only).</summary>
    public double? ReferenceMean { get; init; }

    /// <summary>Window values outside the reference categories (categorical only).</summary>
    public long? UnseenCount { get; init; }

    /// <summary>The most frequent of those values (at most 10), most frequent first.</summary>
    public IReadOnlyList<CategoryCount>? UnseenCategories { get; init; }

    /// <summary>The feature's verdict.</summary>
    public required DriftVerdict Verdict { get; init; }

    /// <summary>Which rule decided ("effectSize" or "pValue").</summary>
    public required string DecidedBy { get; init; }

    /// <summary>A sentence saying why, with the figures and sample sizes.</summary>
    public required string Reason { get; init; }
}

/// <summary>A category value and how often it occurred.</summary>
public sealed record CategoryCount(string Value, long Count);

/// <summary>The JSON options drift reports, window states and quality reports are written and read with (part of the contract).</summary>
public static class MonitoringJson
{
    /// <summary>camelCase, enums as strings, nulls left out (the same settings as the project spec).</summary>
    public static readonly JsonSerializerOptions Options = new(SpecJson.Options);
}
