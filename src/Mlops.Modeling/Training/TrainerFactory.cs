using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Training;

/// <summary>Builds the ML.NET trainer of a candidate. Every trainer runs single-threaded with the spec's seed: the same data and spec give the same model.</summary>
internal static class TrainerFactory
{
    /// <summary>Linear trainers converge badly on raw scales, so their features are standardised (mean 0, variance 1).</summary>
    public static bool NeedsNormalization(string trainer) => trainer is "sdca" or "lbfgs";

    public static IEstimator<ITransformer> Create(MLContext ml, TaskKind task, CandidateSpec c, int seed, string? weight)
    {
        const string f = MlNetData.Features;
        const string l = MlNetData.Label;
        return (task, c.Trainer) switch
        {
            (TaskKind.Binary, "lightgbm") => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                Seed = seed,
                NumberOfThreads = 1,
                NumberOfLeaves = c.GetInt("numberOfLeaves", 31),
                LearningRate = c.Get("learningRate", 0.1),
                NumberOfIterations = c.GetInt("numberOfIterations", 100),
                MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 20),
                Booster = Booster(c),
            }),
            (TaskKind.Multiclass, "lightgbm") => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                Seed = seed,
                NumberOfThreads = 1,
                UseSoftmax = true,
                NumberOfLeaves = c.GetInt("numberOfLeaves", 31),
                LearningRate = c.Get("learningRate", 0.1),
                NumberOfIterations = c.GetInt("numberOfIterations", 100),
                MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 20),
                Booster = Booster(c),
            }),
            (TaskKind.Regression, "lightgbm") => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                Seed = seed,
                NumberOfThreads = 1,
                NumberOfLeaves = c.GetInt("numberOfLeaves", 31),
                LearningRate = c.Get("learningRate", 0.1),
                NumberOfIterations = c.GetInt("numberOfIterations", 100),
                MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 20),
                Booster = Booster(c),
            }),
            (TaskKind.Binary, "fasttree") => FastTreeBinary(ml, c, seed, weight),
            (TaskKind.Multiclass, "fasttree") => ml.MulticlassClassification.Trainers.OneVersusAll(FastTreeBinary(ml, c, seed, weight), l),
            (TaskKind.Regression, "fasttree") => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                Seed = seed,
                NumberOfThreads = 1,
                NumberOfLeaves = c.GetInt("numberOfLeaves", 20),
                NumberOfTrees = c.GetInt("numberOfTrees", 100),
                LearningRate = c.Get("learningRate", 0.2),
                MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 10),
                FeatureFraction = c.Get("featureFraction", 1),
            }),
            (TaskKind.Multiclass, "fastforest") => ml.MulticlassClassification.Trainers.OneVersusAll(FastForestBinary(ml, c, seed, weight), l),
            (TaskKind.Regression, "fastforest") => ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                Seed = seed,
                NumberOfThreads = 1,
                NumberOfLeaves = c.GetInt("numberOfLeaves", 20),
                NumberOfTrees = c.GetInt("numberOfTrees", 100),
                MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 10),
                FeatureFraction = c.Get("featureFraction", 1),
            }),
            (TaskKind.Binary, "sdca") => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                NumberOfThreads = 1,
                L2Regularization = (float)c.Get("l2Regularization", 0.01),
                MaximumNumberOfIterations = c.GetInt("maximumNumberOfIterations", 100),
            }),
            (TaskKind.Multiclass, "sdca") => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                NumberOfThreads = 1,
                L2Regularization = (float)c.Get("l2Regularization", 0.01),
                MaximumNumberOfIterations = c.GetInt("maximumNumberOfIterations", 100),
            }),
            (TaskKind.Binary, "lbfgs") => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                NumberOfThreads = 1,
                L1Regularization = (float)c.Get("l1Regularization", 1),
                L2Regularization = (float)c.Get("l2Regularization", 1),
            }),
            (TaskKind.Multiclass, "lbfgs") => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = l,
                FeatureColumnName = f,
                ExampleWeightColumnName = weight,
                NumberOfThreads = 1,
                L1Regularization = (float)c.Get("l1Regularization", 1),
                L2Regularization = (float)c.Get("l2Regularization", 1),
            }),
            _ => throw MlopsException.Invalid("trainer", "enum", $"Trainer '{c.Trainer}' does not support the {task.ToString().ToLowerInvariant()} task."),
        };
    }

    private static FastTreeBinaryTrainer FastTreeBinary(MLContext ml, CandidateSpec c, int seed, string? weight) =>
        ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = MlNetData.Label,
            FeatureColumnName = MlNetData.Features,
            ExampleWeightColumnName = weight,
            Seed = seed,
            NumberOfThreads = 1,
            NumberOfLeaves = c.GetInt("numberOfLeaves", 20),
            NumberOfTrees = c.GetInt("numberOfTrees", 100),
            LearningRate = c.Get("learningRate", 0.2),
            MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 10),
            FeatureFraction = c.Get("featureFraction", 1),
        });

    private static FastForestBinaryTrainer FastForestBinary(MLContext ml, CandidateSpec c, int seed, string? weight) =>
        ml.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
        {
            LabelColumnName = MlNetData.Label,
            FeatureColumnName = MlNetData.Features,
            ExampleWeightColumnName = weight,
            Seed = seed,
            NumberOfThreads = 1,
            NumberOfLeaves = c.GetInt("numberOfLeaves", 20),
            NumberOfTrees = c.GetInt("numberOfTrees", 100),
            MinimumExampleCountPerLeaf = c.GetInt("minimumExampleCountPerLeaf", 10),
            FeatureFraction = c.Get("featureFraction", 1),
        });

    private static GradientBooster.Options Booster(CandidateSpec c) => new()
    {
        FeatureFraction = c.Get("featureFraction", 1),
        L2Regularization = c.Get("l2Regularization", 0.01),
    };
}
