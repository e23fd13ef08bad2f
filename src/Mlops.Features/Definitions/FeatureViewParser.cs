using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using NCrontab;

namespace Mlops.Features.Definitions;

/// <summary>Reads a feature view from JSON and reports every broken rule at once, each naming its field (<c>features[2].window</c>).</summary>
public static partial class FeatureViewParser
{
    /// <summary>The aggregates a feature may use.</summary>
    public static readonly IReadOnlyList<string> Aggregates = ["mean", "min", "max", "sum", "count"];

    /// <summary>Feature names become columns, table properties and expression names: a C#-like identifier.</summary>
    public const string FeatureNamePattern = "^[A-Za-z_][A-Za-z0-9_]{0,127}$";

    [GeneratedRegex(FeatureNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex FeatureName();

    /// <summary>Parses and validates; throws <see cref="MlopsException"/> (InvalidInput) listing every violation.</summary>
    public static FeatureViewSpec Parse(string json)
    {
        FeatureViewSpec? spec;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw MlopsException.Invalid("$", "type", "A feature view must be a JSON object.");
            }

            spec = doc.RootElement.Deserialize<FeatureViewSpec>(FeatureJson.Options);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            throw MlopsException.Invalid(field, "type", $"The feature view is not valid JSON for field '{field}'.");
        }

        return Validate(spec ?? throw MlopsException.Invalid("$", "required", "The feature view is empty."));
    }

    /// <summary>Checks every rule that needs no data; returns the spec unchanged.</summary>
    public static FeatureViewSpec Validate(FeatureViewSpec spec)
    {
        var errors = new List<RuleViolation>();
        var entities = spec.Entities ?? [];
        if (entities.Count == 0)
        {
            errors.Add(new("entities", "minItems", "'entities' must name at least one key column of the source."));
        }

        for (var i = 0; i < entities.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(entities[i]))
            {
                errors.Add(new($"entities[{i}]", "required", "An entity key column must be named."));
            }
        }

        if (entities.Distinct(StringComparer.Ordinal).Count() != entities.Count)
        {
            errors.Add(new("entities", "unique", "'entities' must not name a column twice."));
        }

        if (string.IsNullOrWhiteSpace(spec.Timestamp))
        {
            errors.Add(new("timestamp", "required", "'timestamp' must name the event-time column of the source."));
        }
        else if (entities.Contains(spec.Timestamp))
        {
            errors.Add(new("timestamp", "distinct", "'timestamp' must not be an entity key column."));
        }

        var source = spec.Source ?? new FeatureSourceRef();
        if ((source.Project is null) == (source.Stream is null))
        {
            errors.Add(new("source", "one-of", "'source' must hold exactly one of 'project' (its accepted dataset versions) or 'stream' (POST /api/feature-sources/{stream}/data)."));
        }
        else if (source.Project is not null && !ResourceName.IsValid(source.Project))
        {
            errors.Add(new("source.project", "pattern", $"'source.project' must be a project name ({ResourceName.Pattern})."));
        }
        else if (source.Stream is not null && !ResourceName.IsValid(source.Stream))
        {
            errors.Add(new("source.stream", "pattern", $"'source.stream' must be a source name ({ResourceName.Pattern})."));
        }

        if (spec.Ttl is not null && !IsoDuration.TryParse(spec.Ttl, out _))
        {
            errors.Add(new("ttl", "duration", "'ttl' must be a positive ISO 8601 duration in weeks, days, hours, minutes or seconds (e.g. P30D, PT12H), or null for never stale."));
        }

        if (spec.Schedule is not null && CrontabSchedule.TryParse(spec.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            errors.Add(new("schedule", "cron", "'schedule' must be a six-field NCRONTAB expression (second minute hour day month weekday), or null."));
        }

        var features = spec.Features ?? [];
        if (features.Count == 0)
        {
            errors.Add(new("features", "minItems", "'features' must list at least one feature."));
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            ValidateFeature(features[i], $"features[{i}]", entities, spec.Timestamp, errors);
            if (features[i] is { Name: { } name } && FeatureName().IsMatch(name) && !known.Add(name))
            {
                errors.Add(new($"features[{i}].name", "unique", $"Feature '{name}' is declared twice."));
            }
        }

        if (errors.Count > 0)
        {
            throw MlopsException.Invalid(errors);
        }

        return spec;
    }

    private static void ValidateFeature(FeatureSpec? f, string at, IReadOnlyList<string> entities, string? timestamp, List<RuleViolation> errors)
    {
        if (f is null)
        {
            errors.Add(new(at, "type", "A feature must be an object."));
            return;
        }

        if (string.IsNullOrEmpty(f.Name) || !FeatureName().IsMatch(f.Name))
        {
            errors.Add(new($"{at}.name", "pattern", $"A feature name must be a letter or '_' then letters, digits or '_' ({FeatureNamePattern})."));
        }
        else if (entities.Contains(f.Name) || f.Name == timestamp)
        {
            errors.Add(new($"{at}.name", "distinct", "A feature must not be named like an entity key or the timestamp column."));
        }

        if (f.Expression is not null)
        {
            if (f.Column is not null || f.Aggregate is not null || f.Lag is not null || f.Window is not null || f.Rows is not null)
            {
                errors.Add(new($"{at}.expression", "one-of", "An expression feature takes no 'column', 'aggregate', 'window', 'rows' or 'lag'."));
            }

            try
            {
                FeatureExpression.Parse(f.Expression);
            }
            catch (FormatException ex)
            {
                errors.Add(new($"{at}.expression", "syntax", $"The expression is not valid: {ex.Message}."));
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(f.Column))
        {
            errors.Add(new($"{at}.column", "required", "A feature needs the source 'column' it reads (or an 'expression')."));
        }

        if (f.Aggregate is not null)
        {
            if (!Aggregates.Contains(f.Aggregate))
            {
                errors.Add(new($"{at}.aggregate", "enum", $"'aggregate' must be one of {string.Join(", ", Aggregates)}."));
            }

            if ((f.Window is null) == (f.Rows is null))
            {
                errors.Add(new($"{at}.window", "one-of", "An aggregate needs exactly one of 'window' (a duration, e.g. P7D) or 'rows' (a count of previous rows)."));
            }
            else if (f.Window is not null && !IsoDuration.TryParse(f.Window, out _))
            {
                errors.Add(new($"{at}.window", "duration", "'window' must be a positive ISO 8601 duration in weeks, days, hours, minutes or seconds (e.g. P7D)."));
            }
            else if (f.Rows is < 1 or > 100_000)
            {
                errors.Add(new($"{at}.rows", "range", "'rows' must be between 1 and 100000."));
            }

            if (f.Lag is not null)
            {
                errors.Add(new($"{at}.lag", "one-of", "A feature is an aggregate or a lag, not both."));
            }
        }
        else
        {
            if (f.Window is not null || f.Rows is not null)
            {
                errors.Add(new($"{at}.aggregate", "required", "'window' and 'rows' need an 'aggregate' (mean, min, max, sum, count)."));
            }

            if (f.Lag is < 1 or > 1000)
            {
                errors.Add(new($"{at}.lag", "range", "'lag' must be between 1 and 1000."));
            }
        }

        if (f.Fill is { } fill && fill.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
        {
            errors.Add(new($"{at}.fill", "type", "'fill' must be a number or a string."));
        }
    }

    /// <summary>
    /// Checks the view against its source's columns: every entity, the timestamp and every feature column exist, and
    /// aggregates and expressions read numeric columns. Throws InvalidInput naming each field.
    /// </summary>
    public static void ValidateAgainst(FeatureViewSpec spec, IReadOnlyDictionary<string, ColumnKind> columns)
    {
        var errors = new List<RuleViolation>();
        for (var i = 0; i < spec.Entities.Count; i++)
        {
            if (!columns.ContainsKey(spec.Entities[i]))
            {
                errors.Add(new($"entities[{i}]", "missing-column", $"The source {spec.Source} has no column '{spec.Entities[i]}'."));
            }
        }

        if (!columns.ContainsKey(spec.Timestamp))
        {
            errors.Add(new("timestamp", "missing-column", $"The source {spec.Source} has no column '{spec.Timestamp}'."));
        }

        var earlier = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Features.Count; i++)
        {
            var f = spec.Features[i];
            if (f.Expression is not null)
            {
                foreach (var name in FeatureExpression.Parse(f.Expression).Names)
                {
                    if (earlier.Contains(name))
                    {
                        continue;
                    }

                    if (!columns.TryGetValue(name, out var kind))
                    {
                        errors.Add(new($"features[{i}].expression", "unknown-name", $"'{name}' is neither a column of the source {spec.Source} nor an earlier feature."));
                    }
                    else if (kind != ColumnKind.Numeric)
                    {
                        errors.Add(new($"features[{i}].expression", "numeric", $"Column '{name}' is {kind.ToString().ToLowerInvariant()}; expressions read numbers."));
                    }
                }
            }
            else if (f.Column is not null)
            {
                if (!columns.TryGetValue(f.Column, out var kind))
                {
                    errors.Add(new($"features[{i}].column", "missing-column", $"The source {spec.Source} has no column '{f.Column}'."));
                }
                else if (f.Aggregate is not null and not "count" && kind != ColumnKind.Numeric)
                {
                    errors.Add(new($"features[{i}].aggregate", "numeric", $"Column '{f.Column}' is {kind.ToString().ToLowerInvariant()}; '{f.Aggregate}' needs numbers."));
                }
            }

            earlier.Add(f.Name);
        }

        if (errors.Count > 0)
        {
            throw MlopsException.Invalid(errors);
        }
    }
}
