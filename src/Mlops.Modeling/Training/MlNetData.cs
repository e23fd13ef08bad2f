using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>Row types ML.NET reads: the feature vector and a label typed by task.</summary>
internal sealed class RegressionRow
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }
}

internal sealed class BinaryRow
{
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

internal sealed class MulticlassRow
{
    public float[] Features { get; set; } = [];

    /// <summary>The class index (0-based). Seen empirically with ML.NET 5.0.1: LoadFromEnumerable takes a key property as 0-based, while scored PredictedLabel keys come back 1-based.</summary>
    public uint Label { get; set; }
}

/// <summary>Turns a featurized table into an ML.NET <see cref="IDataView"/> and reads predictions back.</summary>
internal static class MlNetData
{
    internal const string Features = "Features";
    internal const string Label = "Label";

    /// <summary>The data view of <paramref name="table"/>; rows with a missing target get a default label (they are only scored, never trained on).</summary>
    public static IDataView ToDataView(MLContext ml, FeaturePlan plan, DataTable table)
    {
        var width = plan.VectorLength;
        var vectors = plan.Transform(table);
        var target = table.Contains(plan.Target) ? table[plan.Target] : null;
        float[] VectorAt(int row) => vectors.AsSpan(row * width, width).ToArray();
        var rows = Enumerable.Range(0, table.RowCount);
        switch (plan.Task)
        {
            case TaskKind.Regression:
                return ml.Data.LoadFromEnumerable(
                    rows.Select(r => new RegressionRow { Features = VectorAt(r), Label = target is null ? 0f : (float)Labels.ValueAt(target, r) }).ToList(),
                    Schema<RegressionRow>(width, null));
            case TaskKind.Binary:
                return ml.Data.LoadFromEnumerable(
                    rows.Select(r => new BinaryRow { Features = VectorAt(r), Label = target is not null && Labels.LabelAt(target, r) == plan.ClassLabels[1] }).ToList(),
                    Schema<BinaryRow>(width, null));
            default:
                var index = plan.ClassLabels.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (uint)p.i, StringComparer.Ordinal);
                return ml.Data.LoadFromEnumerable(
                    rows.Select(r => new MulticlassRow
                    {
                        Features = VectorAt(r),
                        Label = target is not null && Labels.LabelAt(target, r) is { } l && index.TryGetValue(l, out var key) ? key : 0u,
                    }).ToList(),
                    Schema<MulticlassRow>(width, new KeyDataViewType(typeof(uint), plan.ClassLabels.Count)));
        }
    }

    private static SchemaDefinition Schema<T>(int width, DataViewType? labelType)
    {
        var schema = SchemaDefinition.Create(typeof(T));
        schema[Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        if (labelType is not null)
        {
            schema[Label].ColumnType = labelType;
        }

        return schema;
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
                    var labels = scored.GetColumn<uint>("PredictedLabel").Select(k => k == 0 ? "" : plan.ClassLabels[(int)k - 1]).ToArray();
                    var probabilities = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
                    return PredictionSet.ForClasses(plan.Task, plan.ClassLabels, labels, probabilities);
                }
        }
    }
}
