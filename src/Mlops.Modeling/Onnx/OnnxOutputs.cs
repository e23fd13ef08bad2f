using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Onnx;

/// <summary>
/// The output tensors serving reads. Models from the converter name them after ML.NET's scored columns
/// (<c>PredictedLabel.output</c>, <c>Score.output</c>, <c>Probability.output</c>); models from the earlier hand-written
/// exporter used <c>label</c>, <c>probabilities</c> and <c>score</c>, and keep working.
/// </summary>
public static class OnnxOutputs
{
    /// <summary>Predicted label: text (multiclass) or bool (binary: true = class index 1).</summary>
    public const string PredictedLabel = "PredictedLabel.output";

    /// <summary>Class probabilities [N, K] (multiclass) or the value [N, 1] (regression).</summary>
    public const string Score = "Score.output";

    /// <summary>Probability of the positive class [N, 1] (binary).</summary>
    public const string Probability = "Probability.output";

    /// <summary>Earlier exporter: label [N] (text).</summary>
    public const string LegacyLabel = "label";

    /// <summary>Earlier exporter: probabilities [N, K].</summary>
    public const string LegacyProbabilities = "probabilities";

    /// <summary>Earlier exporter: regression value [N, 1].</summary>
    public const string LegacyScore = "score";

    /// <summary>Metadata key holding the signature JSON inside our ONNX files.</summary>
    public const string SignatureMetadataKey = "mlops.signature";

    /// <summary>The ML.NET columns the converter is asked to output for a task.</summary>
    internal static string[] ColumnsOf(TaskKind task) => task switch
    {
        TaskKind.Regression => ["Score"],
        TaskKind.Binary => ["PredictedLabel", "Probability"],
        _ => ["PredictedLabel", "Score"],
    };

    /// <summary>The signature of an exported plan: one input per feature column, the outputs serving needs.</summary>
    public static ModelSignature SignatureOf(FeaturePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var inputs = plan.Columns.Select(c => c.Kind switch
        {
            FeatureKind.Numeric or FeatureKind.Boolean => new SignatureField(c.Name, SignatureTypes.Float, [-1, 1], Nullable: true),
            _ => new SignatureField(c.Name, SignatureTypes.String, [-1, 1], Nullable: true),
        }).ToList();
        IReadOnlyList<SignatureField> outputs = plan.Task switch
        {
            TaskKind.Regression => [new SignatureField(Score, SignatureTypes.Float, [-1, 1], false)],
            TaskKind.Binary => [new SignatureField(PredictedLabel, SignatureTypes.Bool, [-1, 1], false), new SignatureField(Probability, SignatureTypes.Float, [-1, 1], false)],
            _ => [new SignatureField(PredictedLabel, SignatureTypes.String, [-1, 1], false), new SignatureField(Score, SignatureTypes.Float, [-1, plan.ClassLabels.Count], false)],
        };
        return new ModelSignature { Task = plan.Task, Inputs = inputs, Outputs = outputs, ClassLabels = plan.Task == TaskKind.Regression ? null : plan.ClassLabels };
    }
}
