using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data.Reading;

namespace Mlops.Data.Profiling;

/// <summary>
/// The end-of-pass rules: decide each column's kind (values, then the previous version's schema, then the spec), check
/// the target, types, missing values and columns against the spec and the previous schema, and build the profile.
/// </summary>
internal sealed class ColumnRules(ProjectSpec spec, DatasetSchema? previous, IngestionOptions options, FindingCollector findings, long rowCount)
{
    public (DatasetSchema Schema, DatasetProfile Profile) Apply(IReadOnlyList<ColumnAccumulator> columns)
    {
        var byName = columns.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var explicitFeatures = new HashSet<string>(spec.Features ?? [], StringComparer.Ordinal);
        var ignored = new HashSet<string>(spec.Ignore, StringComparer.Ordinal);

        if (rowCount < options.MinRows)
        {
            findings.Add(DataRules.TooFewRows, null, null, $"The dataset has {rowCount} data rows; at least {options.MinRows} are needed.", count: rowCount);
        }

        if (!byName.ContainsKey(spec.Target))
        {
            findings.Add(DataRules.MissingTarget, spec.Target, null, $"The target column '{spec.Target}' named by the project spec is not in the file.");
        }

        foreach (var feature in explicitFeatures.Where(f => !byName.ContainsKey(f)))
        {
            findings.Add(DataRules.MissingColumn, feature, null, $"The feature column '{feature}' named by the project spec is not in the file.");
        }

        if (previous is not null)
        {
            foreach (var old in previous.Columns)
            {
                var used = old.Name != spec.Target && !explicitFeatures.Contains(old.Name) && !ignored.Contains(old.Name) &&
                    spec.Features is null && old.Kind is ColumnKind.Numeric or ColumnKind.Categorical or ColumnKind.Boolean;
                if (used && !byName.ContainsKey(old.Name))
                {
                    findings.Add(DataRules.MissingColumn, old.Name, null, $"The column '{old.Name}' of the previous version is a feature and is missing from this file.");
                }
            }
        }

        var schemaColumns = new List<ColumnSchema>(columns.Count);
        var profiles = new List<ColumnProfile>(columns.Count);
        foreach (var column in columns)
        {
            var isTarget = column.Name == spec.Target;
            var named = isTarget || explicitFeatures.Contains(column.Name);
            var kind = DecideKind(column, isTarget, named);
            var used = isTarget || explicitFeatures.Contains(column.Name) ||
                (spec.Features is null && !ignored.Contains(column.Name) && kind is ColumnKind.Numeric or ColumnKind.Categorical or ColumnKind.Boolean);

            // Values that are not numbers in a numeric column are unusable: count them as missing in the profile.
            var missing = kind == ColumnKind.Numeric ? column.Missing + column.NonNumbers : column.Missing;
            if (isTarget)
            {
                CheckTarget(column, kind);
            }
            else if (used && rowCount > 0 && (double)missing / rowCount > options.MaxNullFraction)
            {
                findings.AddSummary(DataRules.NullFraction, column.Name, missing, column.MissingRows,
                    $"Column '{column.Name}' is missing in {missing} of {rowCount} rows, more than the limit of {options.MaxNullFraction:P0}.");
            }

            if (previous is not null && previous.Find(column.Name) is null)
            {
                findings.Add(DataRules.UnseenColumn, column.Name, null, $"Column '{column.Name}' was not in the previous version; it is kept, and used as a feature only if the spec allows.");
            }

            schemaColumns.Add(new ColumnSchema(column.Name, kind, missing > 0));
            profiles.Add(Profile(column, kind, named, missing));
        }

        return (new DatasetSchema(schemaColumns), new DatasetProfile { RowCount = rowCount, Columns = profiles });
    }

    private ColumnKind DecideKind(ColumnAccumulator column, bool isTarget, bool named)
    {
        var inferred = column.InferKind(options);
        var kind = inferred;
        var before = previous?.Find(column.Name)?.Kind;

        if (before is { } b && column.Present > 0)
        {
            if (Group(b) == Group(inferred))
            {
                kind = b; // same family (e.g. categorical vs text by a distinct-count boundary): keep the version's kind stable
            }
            else
            {
                findings.Add(DataRules.TypeMismatch, column.Name, null,
                    $"Column '{column.Name}' was {Name(b)} in the previous version and is {Name(inferred)} now.");
            }
        }

        if (isTarget && spec.Task == TaskKind.Regression && kind != ColumnKind.Numeric && column.Present > 0 && !findings.Has(DataRules.TypeMismatch, column.Name))
        {
            findings.Add(DataRules.TypeMismatch, column.Name, null, $"The regression target '{column.Name}' must be numeric; it is {Name(kind)}.");
        }

        if (named && kind == ColumnKind.Text)
        {
            kind = ColumnKind.Categorical; // the spec asked for it: free text is used as a category
        }

        if (kind == ColumnKind.Numeric && column.NonNumbers > 0)
        {
            findings.AddSummary(DataRules.UnparseableNumber, column.Name, column.NonNumbers, column.NonNumberRows,
                $"Column '{column.Name}' is numeric but {column.NonNumbers} values are not numbers (invariant culture, '.' decimal point).");
        }

        return kind;
    }

    private void CheckTarget(ColumnAccumulator column, ColumnKind kind)
    {
        var missing = kind == ColumnKind.Numeric ? column.Missing + column.NonNumbers : column.Missing;
        if (rowCount > 0 && column.Present == 0)
        {
            findings.AddSummary(DataRules.EmptyTarget, column.Name, missing, column.MissingRows,
                $"The target column '{column.Name}' has no values.", RuleSeverity.Error);
        }
        else if (column.Missing > 0)
        {
            findings.AddSummary(DataRules.EmptyTarget, column.Name, column.Missing, column.MissingRows,
                $"The target column '{column.Name}' is missing in {column.Missing} rows; those rows are left out of training.", RuleSeverity.Warning);
            if (rowCount > 0 && (double)missing / rowCount > options.MaxNullFraction)
            {
                findings.AddSummary(DataRules.NullFraction, column.Name, missing, column.MissingRows,
                    $"The target column '{column.Name}' is missing in {missing} of {rowCount} rows, more than the limit of {options.MaxNullFraction:P0}.");
            }
        }

        if (spec.Task == TaskKind.Binary && column.Present > 0 && !column.Categories.Frozen)
        {
            var classes = column.Categories.Distinct;
            if (classes != 2)
            {
                findings.Add(DataRules.TargetClasses, column.Name, null,
                    $"A binary target needs exactly two classes; '{column.Name}' has {classes}{(column.Categories.Overflowed ? " or more" : "")}.", count: classes);
            }
        }
    }

    private ColumnProfile Profile(ColumnAccumulator column, ColumnKind kind, bool named, long missing)
    {
        var present = rowCount - missing;
        return kind switch
        {
            ColumnKind.Numeric => new ColumnProfile
            {
                Name = column.Name,
                Kind = kind,
                Count = present,
                Nulls = missing,
                Numeric = column.Numbers.ToProfile(options.QuantileBins),
            },
            ColumnKind.Categorical or ColumnKind.Boolean => new ColumnProfile
            {
                Name = column.Name,
                Kind = kind,
                Count = present,
                Nulls = missing,
                Categorical = column.Categories.ToProfile(options.TopK),
            },
            _ => new ColumnProfile
            {
                Name = column.Name,
                Kind = kind,
                Count = present,
                Nulls = missing,
                Categorical = named && !column.Categories.Frozen ? column.Categories.ToProfile(options.TopK) : null,
            },
        };
    }

    private static int Group(ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric => 0,
        ColumnKind.Boolean => 1,
        _ => 2,
    };

    private static string Name(ColumnKind kind) => kind.ToString().ToLowerInvariant();
}
