using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>
/// The whole model as one ML.NET estimator chain, so ML.NET's ONNX converter exports all of it: mean imputation of the
/// numeric inputs (numbers, booleans, date parts), one-hot encoding of the categories (training vocabulary, at most
/// <see cref="FeaturePlan.MaxCategories"/> values; missing and unseen give all zeros), concatenation into one vector,
/// standardisation (mean and variance) for linear trainers, the trainer and, for multiclass, the key-to-text mapping of the predicted label.
/// </summary>
internal static class FeaturePipeline
{
    public static IEstimator<ITransformer> Create(MLContext ml, FeaturePlan plan, CandidateSpec candidate, int seed, bool weighted)
    {
        var numeric = plan.Columns.SelectMany(NumericInputs).ToArray();
        var categorical = plan.Columns.Where(c => c.Kind == FeatureKind.Categorical).Select(c => c.Name).ToArray();

        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        if (numeric.Length > 0)
        {
            chain = chain.Append(ml.Transforms.ReplaceMissingValues(
                numeric.Select(n => new InputOutputColumnPair(n, n)).ToArray(), MissingValueReplacingEstimator.ReplacementMode.Mean));
        }

        if (categorical.Length > 0)
        {
            chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding(
                categorical.Select(c => new InputOutputColumnPair(c, c)).ToArray(), maximumNumberOfKeys: FeaturePlan.MaxCategories));
        }

        chain = chain.Append(ml.Transforms.Concatenate(MlNetData.Features, [.. numeric, .. categorical]));
        if (TrainerFactory.NeedsNormalization(candidate.Trainer))
        {
            chain = chain.Append(ml.Transforms.NormalizeMeanVariance(MlNetData.Features, fixZero: false));
        }

        chain = chain.Append(TrainerFactory.Create(ml, plan.Task, candidate, seed, weighted ? MlNetData.Weight : null));
        if (plan.Task == TaskKind.Multiclass)
        {
            chain = chain.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        }

        return chain;
    }

    /// <summary>The float columns a feature contributes (a date: one per part).</summary>
    internal static IEnumerable<string> NumericInputs(FeatureColumn column) => column.Kind switch
    {
        FeatureKind.Numeric or FeatureKind.Boolean => [column.Name],
        FeatureKind.Date => DateParts.Names(column.HasTime).Select(p => DateParts.ColumnName(column.Name, p)),
        _ => [],
    };
}
