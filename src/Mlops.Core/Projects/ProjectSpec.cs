using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Core.Projects;

/// <summary>What a model predicts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TaskKind>))]
public enum TaskKind
{
    /// <summary>Two classes.</summary>
    [JsonStringEnumMemberName("binary")] Binary,
    /// <summary>Three or more classes.</summary>
    [JsonStringEnumMemberName("multiclass")] Multiclass,
    /// <summary>A number.</summary>
    [JsonStringEnumMemberName("regression")] Regression,
}

/// <summary>
/// A project's training spec (DESIGN.md §9). Every field but <see cref="Target"/> and <see cref="Task"/> has a default;
/// <see cref="ProjectSpecParser"/> fills them in and checks every rule. Stored as JSON, camelCase: a wire contract.
/// </summary>
public sealed record ProjectSpec
{
    /// <summary>The column to predict.</summary>
    public required string Target { get; init; }

    /// <summary>Binary, multiclass or regression.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>The feature columns; null means every column but the target and <see cref="Ignore"/>.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>
    /// Feature views (DESIGN.md §10) joined into the training rows as of each row's timestamp, and filled from the online
    /// store at predict time; null or empty = none.
    /// </summary>
    public IReadOnlyList<string>? FeatureViews { get; init; }

    /// <summary>Columns never used as features (ids, dates, free text).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>The metric the promotion gate compares; see <see cref="Metrics"/>. Default: macroF1 for classification, rmse for regression.</summary>
    public string Metric { get; init; } = "";

    /// <summary>Trainer families to try: lightgbm, fasttree, fastforest, lbfgs, sdca (a trainer that does not support the task is skipped).</summary>
    public IReadOnlyList<string> Trainers { get; init; } = ["lightgbm", "fasttree", "fastforest", "lbfgs", "sdca"];

    /// <summary>Hyper-parameter search limits.</summary>
    public SearchSpec Search { get; init; } = new();

    /// <summary>Fraction of rows held out for evaluation and the promotion gate, in (0, 0.5].</summary>
    public double HoldoutFraction { get; init; } = 0.2;

    /// <summary>Seed for the split and the trainers: the same data and spec give the same model.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The promotion gate.</summary>
    public PromotionSpec Promotion { get; init; } = new();

    /// <summary>When to retrain.</summary>
    public RetrainSpec Retrain { get; init; } = new();
}

/// <summary>
/// The hyper-parameter search budget: a seeded random search of <see cref="MaxCandidates"/> settings, each scored by
/// <see cref="Folds"/>-fold cross-validation on the training part. The defaults finish in about a minute for 10,000 rows
/// on a 2-core machine.
/// </summary>
public sealed record SearchSpec
{
    /// <summary>Candidates (trials) per run, spread over the trainers (1-100).</summary>
    public int MaxCandidates { get; init; } = 15;

    /// <summary>Cross-validation folds per candidate (2-10).</summary>
    public int Folds { get; init; } = 3;
}

/// <summary>The promotion gate: a challenger must beat the champion on the same holdout by at least this much.</summary>
public sealed record PromotionSpec
{
    /// <summary>Minimum improvement of the spec metric (in the metric's own units, in its better direction).</summary>
    public double MinImprovement { get; init; }
}

/// <summary>Retraining triggers.</summary>
public sealed record RetrainSpec
{
    /// <summary>Six-field NCRONTAB schedule for scheduled retraining; null disables it.</summary>
    // Always written: leaving a null out would bring the default schedule back when the spec is read again.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Schedule { get; init; } = "0 0 3 * * *";

    /// <summary>Drift thresholds.</summary>
    public DriftThreshold DriftThreshold { get; init; } = new();

    /// <summary>After a retraining starts, further triggers within this many minutes are ignored.</summary>
    public int CooldownMinutes { get; init; } = 60;

    /// <summary>Scheduled retraining is skipped when fewer new rows than this arrived since the last run.</summary>
    public int MinNewRows { get; init; } = 100;

    /// <summary>A live-quality drop (in the spec metric's units) past which retraining starts.</summary>
    public double QualityDropThreshold { get; init; } = 0.1;
}

/// <summary>When a feature counts as drifted.</summary>
public sealed record DriftThreshold
{
    /// <summary>Population stability index above which a feature drifted.</summary>
    public double Psi { get; init; } = 0.2;

    /// <summary>KS / chi-square p-value below which a feature drifted (decides on small windows only).</summary>
    public double KsPValue { get; init; } = 0.01;
}

/// <summary>The metrics the platform computes and which direction is better.</summary>
public static class Metrics
{
    private static readonly Dictionary<string, (bool HigherIsBetter, TaskKind[] Tasks)> Known = new(StringComparer.Ordinal)
    {
        ["accuracy"] = (true, [TaskKind.Binary, TaskKind.Multiclass]),
        ["macroF1"] = (true, [TaskKind.Binary, TaskKind.Multiclass]),
        ["logLoss"] = (false, [TaskKind.Binary, TaskKind.Multiclass]),
        ["auc"] = (true, [TaskKind.Binary]),
        ["rmse"] = (false, [TaskKind.Regression]),
        ["mae"] = (false, [TaskKind.Regression]),
        ["r2"] = (true, [TaskKind.Regression]),
    };

    /// <summary>Every metric name, for error messages and docs.</summary>
    public static IReadOnlyCollection<string> Names => Known.Keys;

    /// <summary>True when the metric applies to the task.</summary>
    public static bool AppliesTo(string metric, TaskKind task) => Known.TryGetValue(metric, out var m) && m.Tasks.Contains(task);

    /// <summary>True when a larger value of <paramref name="metric"/> is better.</summary>
    public static bool HigherIsBetter(string metric) =>
        Known.TryGetValue(metric, out var m) ? m.HigherIsBetter : throw new ArgumentException($"Unknown metric '{metric}'.", nameof(metric));

    /// <summary>The default gate metric of a task.</summary>
    public static string DefaultFor(TaskKind task) => task == TaskKind.Regression ? "rmse" : "macroF1";

    /// <summary>
    /// How much better <paramref name="challenger"/> is than <paramref name="champion"/>, positive when better,
    /// whatever the metric's direction.
    /// </summary>
    public static double Improvement(string metric, double challenger, double champion) =>
        HigherIsBetter(metric) ? challenger - champion : champion - challenger;
}

/// <summary>The JSON options every stored spec is written and read with (part of the contract).</summary>
public static class SpecJson
{
    /// <summary>camelCase, enums as strings, nulls kept out (except where a null means something, see <see cref="RetrainSpec.Schedule"/>).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };
}
