using System.Text.Json;
using Mlops.Core.Errors;

namespace Mlops.Core.Projects;

/// <summary>Reads a project spec from JSON, fills in defaults and reports every broken rule at once, each naming its field.</summary>
public static class ProjectSpecParser
{
    private static readonly HashSet<string> KnownTrainers = new(StringComparer.Ordinal) { "lightgbm", "fasttree", "sdca", "lbfgs", "fastforest" };

    /// <summary>The trainer names a spec may use.</summary>
    public static IReadOnlyCollection<string> TrainerNames => KnownTrainers;

    /// <summary>Parses and validates; throws <see cref="MlopsException"/> (InvalidInput) listing every violation.</summary>
    public static ProjectSpec Parse(string json)
    {
        ProjectSpec? spec;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw MlopsException.Invalid("$", "type", "The project spec must be a JSON object.");
            }

            var missing = new List<RuleViolation>();
            foreach (var required in new[] { "target", "task" })
            {
                if (!doc.RootElement.TryGetProperty(required, out var v) || v.ValueKind == JsonValueKind.Null)
                {
                    missing.Add(new RuleViolation(required, "required", $"'{required}' is required."));
                }
            }

            if (missing.Count > 0)
            {
                throw MlopsException.Invalid(missing);
            }

            spec = doc.RootElement.Deserialize<ProjectSpec>(SpecJson.Options);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            throw MlopsException.Invalid(field, "type", $"The spec is not valid JSON for field '{field}': {FirstSentence(ex.Message)}");
        }

        return Validate(spec ?? throw MlopsException.Invalid("$", "required", "The project spec is empty."));
    }

    /// <summary>Fills defaults that depend on other fields, then checks every rule.</summary>
    public static ProjectSpec Validate(ProjectSpec spec)
    {
        var filled = string.IsNullOrEmpty(spec.Metric) ? spec with { Metric = Metrics.DefaultFor(spec.Task) } : spec;
        var errors = new List<RuleViolation>();

        if (string.IsNullOrWhiteSpace(filled.Target))
        {
            errors.Add(new("target", "required", "'target' must name the column to predict."));
        }

        if (!Enum.IsDefined(filled.Task))
        {
            errors.Add(new("task", "enum", "'task' must be one of binary, multiclass, regression."));
        }

        if (!Metrics.AppliesTo(filled.Metric, filled.Task))
        {
            errors.Add(new("metric", "enum", $"'metric' must be one of the {filled.Task.ToString().ToLowerInvariant()} metrics: {string.Join(", ", Metrics.Names.Where(m => Metrics.AppliesTo(m, filled.Task)))}."));
        }

        if (filled.Features is { } features)
        {
            if (features.Count == 0)
            {
                errors.Add(new("features", "minItems", "'features' must list at least one column, or be null for every column."));
            }

            if (features.Contains(filled.Target))
            {
                errors.Add(new("features", "target", "'features' must not contain the target column."));
            }
        }

        for (var i = 0; i < (filled.FeatureViews?.Count ?? 0); i++)
        {
            if (!ResourceName.IsValid(filled.FeatureViews![i]) || filled.FeatureViews.Take(i).Contains(filled.FeatureViews[i]))
            {
                errors.Add(new($"featureViews[{i}]", "pattern", $"'featureViews' must list distinct feature view names ({ResourceName.Pattern})."));
            }
        }

        if (filled.Ignore.Contains(filled.Target))
        {
            errors.Add(new("ignore", "target", "'ignore' must not contain the target column."));
        }

        if (filled.Trainers.Count == 0)
        {
            errors.Add(new("trainers", "minItems", "'trainers' must name at least one trainer."));
        }

        for (var i = 0; i < filled.Trainers.Count; i++)
        {
            if (!KnownTrainers.Contains(filled.Trainers[i]))
            {
                errors.Add(new($"trainers[{i}]", "enum", $"Unknown trainer; use one of {string.Join(", ", KnownTrainers)}."));
            }
        }

        if (filled.Search.MaxCandidates is < 1 or > 100)
        {
            errors.Add(new("search.maxCandidates", "range", "'search.maxCandidates' must be between 1 and 100."));
        }

        if (filled.Search.Folds is < 2 or > 10)
        {
            errors.Add(new("search.folds", "range", "'search.folds' must be between 2 and 10."));
        }

        if (filled.HoldoutFraction is not (> 0 and <= 0.5))
        {
            errors.Add(new("holdoutFraction", "range", "'holdoutFraction' must be greater than 0 and at most 0.5."));
        }

        if (filled.Promotion.MinImprovement < 0 || double.IsNaN(filled.Promotion.MinImprovement))
        {
            errors.Add(new("promotion.minImprovement", "range", "'promotion.minImprovement' must be 0 or more."));
        }

        var retrain = filled.Retrain;
        if (retrain.Schedule is { } schedule && schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            errors.Add(new("retrain.schedule", "cron", "'retrain.schedule' must be a six-field NCRONTAB expression (second minute hour day month weekday), or null."));
        }

        if (retrain.CooldownMinutes < 0)
        {
            errors.Add(new("retrain.cooldownMinutes", "range", "'retrain.cooldownMinutes' must be 0 or more."));
        }

        if (retrain.MinNewRows < 0)
        {
            errors.Add(new("retrain.minNewRows", "range", "'retrain.minNewRows' must be 0 or more."));
        }

        if (retrain.DriftThreshold.Psi <= 0)
        {
            errors.Add(new("retrain.driftThreshold.psi", "range", "'retrain.driftThreshold.psi' must be greater than 0."));
        }

        if (retrain.DriftThreshold.KsPValue is not (> 0 and < 1))
        {
            errors.Add(new("retrain.driftThreshold.ksPValue", "range", "'retrain.driftThreshold.ksPValue' must be between 0 and 1."));
        }

        if (errors.Count > 0)
        {
            throw MlopsException.Invalid(errors);
        }

        return filled;
    }

    private static string FirstSentence(string message)
    {
        var dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot < 0 ? message : message[..(dot + 1)];
    }
}
