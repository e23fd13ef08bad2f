using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Onnx;

/// <summary>The raw per-target scores of a model: <see cref="TreeScore"/> or <see cref="LinearScore"/>.</summary>
internal abstract record RawScore(int Targets);

/// <summary>Tree ensembles: each tree adds its leaf value to one target; a target's sum is divided by its divisor (forests average).</summary>
internal sealed record TreeScore(int Targets, IReadOnlyList<(int Target, RegressionTreeBase Tree)> Trees, float[] Divisors) : RawScore(Targets);

/// <summary>Linear models: target t = bias[t] + weights[t] · x.</summary>
internal sealed record LinearScore(int Targets, float[][] Weights, float[] Biases) : RawScore(Targets);

/// <summary>How raw scores become outputs, exactly as ML.NET computes them.</summary>
internal enum PostTransform
{
    /// <summary>Regression: the score is the value.</summary>
    Identity,
    /// <summary>Binary: p = 1 / (1 + exp(slope·s + offset)) (ML.NET's PlattCalibrator); label = s &gt; 0.</summary>
    Platt,
    /// <summary>Multiclass: softmax over the scores (maximum entropy, LightGBM multiclass).</summary>
    Softmax,
    /// <summary>Multiclass one-versus-all: per-class Platt probabilities, normalised to sum to one.</summary>
    PlattNormalized,
}

/// <summary>What the exporter writes: the raw scores and the post-transform with its calibration parameters.</summary>
internal sealed record ScoreGraph(RawScore Raw, PostTransform Post, double[] Slopes, double[] Offsets)
{
    /// <summary>
    /// Reads the learned parameters out of a fitted ML.NET prediction transformer. Public model-parameter APIs are used
    /// where ML.NET has them; the one-versus-all sub-models and output formula are internal in ML.NET 5.0.1 and are read
    /// by reflection (pinned version; a change fails loudly here, never silently).
    /// </summary>
    public static ScoreGraph From(ITransformer transformer, TaskKind task)
    {
        if (transformer is TransformerChain<ITransformer> chain)
        {
            transformer = chain.LastTransformer;
        }

        var model = (transformer as ISingleFeaturePredictionTransformer<object>)?.Model
            ?? throw Unsupported(transformer.GetType().Name);
        switch (task)
        {
            case TaskKind.Regression:
                return new ScoreGraph(RawOf([model]), PostTransform.Identity, [], []);
            case TaskKind.Binary:
                {
                    var (sub, slope, offset) = Calibrated(model);
                    return new ScoreGraph(RawOf([sub]), PostTransform.Platt, [slope], [offset]);
                }

            default:
                if (model is MaximumEntropyModelParameters maxEnt)
                {
                    VBuffer<float>[] weights = [];
                    maxEnt.GetWeights(ref weights, out var classes);
                    var biases = maxEnt.GetBiases().ToArray();
                    return new ScoreGraph(new LinearScore(classes, weights.Select(w => w.DenseValues().ToArray()).ToArray(), biases), PostTransform.Softmax, [], []);
                }

                if (model is OneVersusAllModelParameters ova)
                {
                    var subs = SubModels(ova);
                    var formula = OutputFormula(ova);
                    var calibrated = subs.Select(Calibrated).ToList();
                    var raw = RawOf(calibrated.Select(c => c.Sub).ToList());
                    return formula switch
                    {
                        "Softmax" => new ScoreGraph(raw, PostTransform.Softmax, [], []),
                        "ProbabilityNormalization" => new ScoreGraph(raw, PostTransform.PlattNormalized, calibrated.Select(c => c.Slope).ToArray(), calibrated.Select(c => c.Offset).ToArray()),
                        _ => throw Unsupported($"one-versus-all output formula {formula}"),
                    };
                }

                throw Unsupported(model.GetType().Name);
        }
    }

    private static (object Sub, double Slope, double Offset) Calibrated(object model)
    {
        if (model is CalibratedModelParametersBase calibrated && calibrated.Calibrator is PlattCalibrator platt)
        {
            return (calibrated.SubModel, platt.Slope, platt.Offset);
        }

        throw Unsupported($"{model.GetType().Name} (binary models need a Platt calibrator)");
    }

    /// <summary>One target per sub-model, in order.</summary>
    private static RawScore RawOf(IReadOnlyList<object> models)
    {
        if (models.All(m => m is LinearModelParameters))
        {
            var linear = models.Cast<LinearModelParameters>().ToList();
            return new LinearScore(linear.Count, linear.Select(l => l.Weights.ToArray()).ToArray(), linear.Select(l => l.Bias).ToArray());
        }

        var trees = new List<(int, RegressionTreeBase)>();
        var divisors = new float[models.Count];
        for (var target = 0; target < models.Count; target++)
        {
            IReadOnlyList<RegressionTreeBase> ensemble = models[target] switch
            {
                TreeEnsembleModelParametersBasedOnRegressionTree t => t.TrainedTreeEnsemble.Trees,
                TreeEnsembleModelParametersBasedOnQuantileRegressionTree q => q.TrainedTreeEnsemble.Trees,
                var other => throw Unsupported(other.GetType().Name),
            };
            trees.AddRange(ensemble.Select(tree => (target, tree)));

            // ML.NET's regression forest averages its trees (FastForestRegressionModelParameters.Map); other ensembles sum.
            divisors[target] = models[target] is FastForestRegressionModelParameters ? ensemble.Count : 1f;
        }

        return new TreeScore(models.Count, trees, divisors);
    }

    private static IReadOnlyList<object> SubModels(OneVersusAllModelParameters ova)
    {
        var property = typeof(OneVersusAllModelParameters).GetProperty("SubModelParameters", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw Unsupported("OneVersusAllModelParameters without SubModelParameters (ML.NET version changed?)");
        return ((IEnumerable<object>)property.GetValue(ova)!).ToList();
    }

    private static string OutputFormula(OneVersusAllModelParameters ova)
    {
        var implField = typeof(OneVersusAllModelParameters).GetField("_impl", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw Unsupported("OneVersusAllModelParameters without _impl (ML.NET version changed?)");
        var impl = implField.GetValue(ova)!;
        var formula = impl.GetType().GetField("OutputFormula", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw Unsupported("one-versus-all implementation without OutputFormula (ML.NET version changed?)");
        return formula.GetValue(impl)!.ToString()!;
    }

    private static MlopsException Unsupported(string what) =>
        new(ErrorCode.Rejected, $"The ONNX exporter does not support {what}.", [new RuleViolation("model", "unsupported", $"The ONNX exporter does not support {what}.")]);
}
