using Mlops.Core.Data;
using Mlops.Modeling.Serving;

namespace Mlops.Modeling.Evaluation;

/// <summary>
/// Re-scores an ONNX model (e.g. the current champion) on a holdout table with the same metric functions training
/// uses, so the promotion gate compares champion and challenger on identical rows. The model must follow our output
/// names (<c>label</c> + <c>probabilities</c>, or <c>score</c>) and its signature must name the task.
/// </summary>
public static class Scorer
{
    /// <summary>The metrics of <paramref name="model"/> on <paramref name="holdout"/> against column <paramref name="target"/>. Missing booleans are fed as false (a tensor cannot hold a missing bool).</summary>
    public static IReadOnlyDictionary<string, double> Score(byte[] model, ModelSignature signature, DataTable holdout, string target)
    {
        ArgumentNullException.ThrowIfNull(holdout);
        using var runner = new OnnxRunner(model, signature);
        return MetricCalculator.Compute(runner.Predict(holdout), holdout, target);
    }

    /// <summary>The predictions of <paramref name="model"/> on <paramref name="table"/>.</summary>
    public static PredictionSet Predict(byte[] model, ModelSignature signature, DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var runner = new OnnxRunner(model, signature);
        return runner.Predict(table);
    }
}
