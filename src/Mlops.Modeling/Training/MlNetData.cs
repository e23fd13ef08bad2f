using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>Turns a table into the ML.NET data view a plan's pipeline reads, and reads ML.NET's predictions back.</summary>
internal static class MlNetData
{
    // Internal column names, chosen so they cannot meet a dataset column.
    internal const string Features = "__Features";
    internal const string Label = "__Label";
    internal const string Weight = "__Weight";

    /// <summary>
    /// One column per model input: numbers and booleans as float (missing = NaN), categories as text (missing = ""), each
    /// date as its parts. With <paramref name="withLabel"/>, the label (regression: float, binary: bool, multiclass: a key
    /// over the plan's class labels, in that order) and, when <paramref name="weights"/> is given, an example weight.
    /// </summary>
    public static IDataView ToDataView(MLContext ml, FeaturePlan plan, DataTable table, bool withLabel, float[]? weights = null)
    {
        var columns = new List<(string, Array)>();
        foreach (var feature in plan.Columns)
        {
            var data = table.Contains(feature.Name) ? table[feature.Name] : throw MlopsException.Invalid(feature.Name, "required", $"Column '{feature.Name}' is missing.");
            switch (feature.Kind, data)
            {
                case (FeatureKind.Numeric, NumericColumn n):
                    columns.Add((feature.Name, n.Values.Select(v => (float)v).ToArray()));
                    break;
                case (FeatureKind.Boolean, BooleanColumn b):
                    columns.Add((feature.Name, b.Values.Select(v => v is { } x ? (x ? 1f : 0f) : float.NaN).ToArray()));
                    break;
                case (FeatureKind.Categorical, StringColumn s):
                    columns.Add((feature.Name, s.Values.Select(v => v ?? "").ToArray()));
                    break;
                case (FeatureKind.Date, StringColumn d):
                    var parts = d.Values.Select(v => DateParts.Of(v, feature.HasTime)).ToArray();
                    var names = DateParts.Names(feature.HasTime);
                    for (var p = 0; p < names.Count; p++)
                    {
                        var index = p;
                        columns.Add((DateParts.ColumnName(feature.Name, names[p]), parts.Select(x => x[index]).ToArray()));
                    }

                    break;
                default:
                    throw MlopsException.Invalid(feature.Name, "type", $"Column '{feature.Name}' must be {feature.Kind.ToString().ToLowerInvariant()}.");
            }
        }

        if (!withLabel)
        {
            return new ColumnDataView(columns, table.RowCount);
        }

        var target = table[plan.Target];
        var rows = Enumerable.Range(0, table.RowCount);
        switch (plan.Task)
        {
            case TaskKind.Regression:
                columns.Add((Label, rows.Select(r => (float)Labels.ValueAt(target, r)).ToArray()));
                break;
            case TaskKind.Binary:
                columns.Add((Label, rows.Select(r => Labels.LabelAt(target, r) == plan.ClassLabels[1]).ToArray()));
                break;
            default:
                columns.Add((Label, rows.Select(r => Labels.LabelAt(target, r) ?? "").ToArray()));
                break;
        }

        if (weights is not null)
        {
            columns.Add((Weight, weights));
        }

        var view = new ColumnDataView(columns, table.RowCount);
        if (plan.Task != TaskKind.Multiclass)
        {
            return view;
        }

        // Keys in the plan's class order, whatever classes this particular table holds (cross-validation folds).
        var keyData = new ColumnDataView([(Label, plan.ClassLabels.ToArray())], plan.ClassLabels.Count);
        return ml.Transforms.Conversion.MapValueToKey(Label, Label, keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence, keyData: keyData)
            .Fit(view).Transform(view);
    }

    /// <summary>Weights that give every class the same total weight (n / (k · count)), for macro-averaged metrics.</summary>
    public static float[] BalancedWeights(FeaturePlan plan, DataTable table)
    {
        var target = table[plan.Target];
        var labels = Enumerable.Range(0, table.RowCount).Select(r => Labels.LabelAt(target, r) ?? "").ToArray();
        var counts = labels.GroupBy(l => l, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return labels.Select(l => (float)((double)labels.Length / (counts.Count * counts[l]))).ToArray();
    }

    /// <summary>Reads ML.NET's scored columns into a <see cref="PredictionSet"/>.</summary>
    public static PredictionSet ReadPredictions(IDataView scored, FeaturePlan plan)
    {
        switch (plan.Task)
        {
            case TaskKind.Regression:
                return PredictionSet.ForValues(scored.GetColumn<float>("Score").ToArray());
            case TaskKind.Binary:
                {
                    var labels = scored.GetColumn<bool>("PredictedLabel").Select(b => plan.ClassLabels[b ? 1 : 0]).ToArray();
                    var probabilities = scored.GetColumn<float>("Probability").SelectMany(p => new[] { 1f - p, p }).ToArray();
                    return PredictionSet.ForClasses(plan.Task, plan.ClassLabels, labels, probabilities);
                }

            default:
                {
                    // PredictedLabel is mapped back to text inside the pipeline (MapKeyToValue), as the ONNX graph does.
                    var labels = scored.GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(k => k.ToString()).ToArray();
                    var probabilities = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
                    return PredictionSet.ForClasses(plan.Task, plan.ClassLabels, labels, probabilities);
                }
        }
    }
}
