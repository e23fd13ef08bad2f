using Mlops.Core.Data;
using Mlops.Features.Definitions;

namespace Mlops.Features.Computation;

/// <summary>One output column of a view: a feature's name and whether its values are numbers (else strings).</summary>
/// <param name="Name">The feature name.</param>
/// <param name="Numeric">True for numbers (missing = NaN), false for strings (missing = null).</param>
public sealed record FeatureColumn(string Name, bool Numeric);

/// <summary>
/// A validated view bound to its source's column kinds: which source columns to read (numbers and strings kept apart),
/// and each feature's output column. Built once per materialisation, by every activity the same way.
/// </summary>
public sealed class CompiledView
{
    /// <summary>Binds <paramref name="spec"/> (validated) to the source columns' kinds.</summary>
    public CompiledView(string name, int version, FeatureViewSpec spec, IReadOnlyDictionary<string, ColumnKind> sourceColumns)
    {
        FeatureViewParser.ValidateAgainst(spec, sourceColumns);
        Name = name;
        Version = version;
        Spec = spec;
        Ttl = spec.Ttl is null ? null : IsoDuration.Parse(spec.Ttl);
        var numeric = new List<string>();
        var text = new List<string>();
        var outputs = new List<FeatureColumn>();
        void Use(string column, bool asNumber)
        {
            var isNumber = asNumber || sourceColumns[column] == ColumnKind.Numeric;
            var list = isNumber ? numeric : text;
            if (!list.Contains(column))
            {
                list.Add(column);
            }
        }

        foreach (var f in spec.Features)
        {
            switch (f.Kind)
            {
                case FeatureKind.Expression:
                    foreach (var name1 in FeatureExpression.Parse(f.Expression!).Names.Where(sourceColumns.ContainsKey))
                    {
                        Use(name1, asNumber: true);
                    }

                    outputs.Add(new FeatureColumn(f.Name, true));
                    break;
                case FeatureKind.Aggregate:
                    // count also counts non-numeric values: it reads the column as text and counts the present ones.
                    Use(f.Column!, asNumber: f.Aggregate != "count" || sourceColumns[f.Column!] == ColumnKind.Numeric);
                    outputs.Add(new FeatureColumn(f.Name, true));
                    break;
                default:
                    var isNumber = sourceColumns[f.Column!] == ColumnKind.Numeric;
                    Use(f.Column!, isNumber);
                    outputs.Add(new FeatureColumn(f.Name, isNumber));
                    break;
            }
        }

        NumericColumns = numeric;
        TextColumns = text;
        Outputs = outputs;
    }

    /// <summary>The view's name.</summary>
    public string Name { get; }

    /// <summary>The view's version.</summary>
    public int Version { get; }

    /// <summary>The definition.</summary>
    public FeatureViewSpec Spec { get; }

    /// <summary>The TTL, or null when values never go stale.</summary>
    public TimeSpan? Ttl { get; }

    /// <summary>Source columns read as numbers.</summary>
    public IReadOnlyList<string> NumericColumns { get; }

    /// <summary>Source columns read as text.</summary>
    public IReadOnlyList<string> TextColumns { get; }

    /// <summary>The features' output columns, in declaration order.</summary>
    public IReadOnlyList<FeatureColumn> Outputs { get; }
}
