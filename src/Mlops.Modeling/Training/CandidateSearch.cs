using System.Diagnostics;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>A candidate's cross-validated score.</summary>
/// <param name="Candidate">What was trained.</param>
/// <param name="Metrics">Every metric, averaged over the folds (each fold scored on the rows it did not train on).</param>
/// <param name="FoldMetrics">The metrics of each fold.</param>
/// <param name="Seconds">Wall time of all folds.</param>
public sealed record CandidateScore(CandidateSpec Candidate, IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<IReadOnlyDictionary<string, double>> FoldMetrics, double Seconds);

/// <summary>
/// The hyper-parameter search: a seeded random search over each trainer's space, every candidate scored by k-fold
/// cross-validation on the training part (folds stratified for classification). Each candidate is independent, so the
/// pipeline trains them as separate activities; the same spec and data give the same candidates and scores.
/// </summary>
public static class CandidateSearch
{
    /// <summary>The parameter that turns class weighting on (1) or off (0); drawn only where the metric is macro-averaged.</summary>
    public const string ClassWeights = "classWeights";

    /// <summary>Trainer families and the tasks each supports.</summary>
    public static readonly IReadOnlyDictionary<string, TaskKind[]> Supported = new Dictionary<string, TaskKind[]>(StringComparer.Ordinal)
    {
        ["lightgbm"] = [TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression],
        // Multiclass FastTree is one-versus-all of calibrated binary models; the converter's graph for it drifted up to
        // 2.5e-4 from ML.NET on penguins (float sums of 100 trees under a steep Platt sigmoid), beyond the 1e-4 parity.
        ["fasttree"] = [TaskKind.Binary, TaskKind.Regression],
        // ML.NET's binary forest has no calibrated probability on its own (only inside one-versus-all).
        ["fastforest"] = [TaskKind.Multiclass, TaskKind.Regression],
        // SDCA regression diverges on unscaled targets, and a scaled target would need an affine step after the
        // trainer that the ONNX converter cannot export: classification only.
        ["sdca"] = [TaskKind.Binary, TaskKind.Multiclass],
        // L-BFGS here is logistic regression / maximum entropy: classification only.
        ["lbfgs"] = [TaskKind.Binary, TaskKind.Multiclass],
    };

    /// <summary>
    /// The candidates for <paramref name="spec"/>: for each of the spec's trainers that supports the task, first its
    /// default setting, then seeded random draws from its space; trainers interleaved and the list cut at
    /// <c>spec.Search.MaxCandidates</c>. Spaces shrink for small training sets (under 1,000 rows) so leaves keep rows.
    /// </summary>
    public static IReadOnlyList<CandidateSpec> Candidates(ProjectSpec spec, int trainRows)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var trainers = spec.Trainers.Distinct(StringComparer.Ordinal)
            .Where(t => Supported.TryGetValue(t, out var tasks) && tasks.Contains(spec.Task))
            .ToList();
        if (trainers.Count == 0)
        {
            return [];
        }

        var space = new SearchSpace(trainRows < 1000, spec.Task != TaskKind.Regression && spec.Metric == "macroF1");
        var perTrainer = (spec.Search.MaxCandidates + trainers.Count - 1) / trainers.Count;
        var draws = trainers.Select((t, i) => space.Draw(t, perTrainer, new Random(unchecked((spec.Seed * 31) + i + 1)))).ToList();
        var result = new List<CandidateSpec>();
        for (var k = 0; k < perTrainer && result.Count < spec.Search.MaxCandidates; k++)
        {
            for (var t = 0; t < trainers.Count && result.Count < spec.Search.MaxCandidates; t++)
            {
                result.Add(new CandidateSpec($"{trainers[t]}-{k}", trainers[t], draws[t][k]));
            }
        }

        return result;
    }

    /// <summary>Scores <paramref name="candidate"/> by k-fold cross-validation on <paramref name="train"/> (the training part only).</summary>
    public static CandidateScore Evaluate(DataTable train, ProjectSpec spec, CandidateSpec candidate)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(spec);
        var stopwatch = Stopwatch.StartNew();
        var labelled = CandidateTrainer.WithTarget(train, spec.Target);
        var plan = FeaturePlan.Fit(labelled, spec);
        var folds = DataSplit.Folds(labelled, spec, spec.Search.Folds);
        var scores = new List<IReadOnlyDictionary<string, double>>();
        foreach (var fold in folds)
        {
            var validation = labelled.SelectRows(fold.Holdout);
            var fitted = CandidateTrainer.Fit(labelled.SelectRows(fold.Train), spec, candidate, plan);
            scores.Add(MetricCalculator.Compute(fitted.Model.Predict(validation), validation, spec.Target));
        }

        var mean = scores.SelectMany(s => s.Keys).Distinct(StringComparer.Ordinal)
            .ToDictionary(k => k, k => scores.Average(s => s.TryGetValue(k, out var v) ? v : double.NaN), StringComparer.Ordinal);
        return new CandidateScore(candidate, mean, scores, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>The best score by <paramref name="metric"/> in its better direction (ties: the earlier candidate).</summary>
    public static CandidateScore Best(IEnumerable<CandidateScore> scores, string metric)
    {
        var higher = Metrics.HigherIsBetter(metric);
        return scores
            .Where(c => c.Metrics.TryGetValue(metric, out var v) && double.IsFinite(v))
            .Aggregate((CandidateScore?)null, (best, c) => best is null || (higher ? c.Metrics[metric] > best.Metrics[metric] : c.Metrics[metric] < best.Metrics[metric]) ? c : best)
            ?? throw new MlopsException(ErrorCode.Rejected, $"No candidate has a value for metric '{metric}'.");
    }
}

/// <summary>Each trainer's default setting and the ranges random draws come from.</summary>
internal sealed class SearchSpace(bool small, bool weighClasses)
{
    public List<Dictionary<string, double>> Draw(string trainer, int count, Random random)
    {
        var result = new List<Dictionary<string, double>> { Default(trainer) };
        while (result.Count < count)
        {
            var draw = Random(trainer, random);
            if (weighClasses)
            {
                draw[CandidateSearch.ClassWeights] = random.Next(2);
            }

            result.Add(draw);
        }

        return result;
    }

    private Dictionary<string, double> Default(string trainer)
    {
        var d = trainer switch
        {
            "lightgbm" => new Dictionary<string, double> { ["numberOfLeaves"] = small ? 8 : 31, ["learningRate"] = 0.1, ["numberOfIterations"] = 100, ["minimumExampleCountPerLeaf"] = small ? 5 : 20 },
            "fasttree" => new() { ["numberOfLeaves"] = small ? 8 : 20, ["numberOfTrees"] = 100, ["learningRate"] = 0.1, ["minimumExampleCountPerLeaf"] = small ? 5 : 10 },
            "fastforest" => new() { ["numberOfLeaves"] = small ? 32 : 64, ["numberOfTrees"] = 200, ["minimumExampleCountPerLeaf"] = 2, ["featureFraction"] = 0.7 },
            "sdca" => new() { ["l2Regularization"] = 0.01, ["maximumNumberOfIterations"] = 100 },
            "lbfgs" => new() { ["l1Regularization"] = 0, ["l2Regularization"] = 1 },
            _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Unknown trainer."),
        };
        if (weighClasses)
        {
            d[CandidateSearch.ClassWeights] = 1;
        }

        return d;
    }

    private Dictionary<string, double> Random(string trainer, Random r) => trainer switch
    {
        "lightgbm" => new()
        {
            ["numberOfLeaves"] = LogInt(r, 4, small ? 32 : 128),
            ["learningRate"] = Log(r, 0.02, 0.3),
            ["numberOfIterations"] = LogInt(r, 50, 500),
            ["minimumExampleCountPerLeaf"] = LogInt(r, 2, small ? 30 : 100),
            ["featureFraction"] = Uniform(r, 0.5, 1),
            ["l2Regularization"] = Log(r, 1e-3, 10),
        },
        "fasttree" => new()
        {
            ["numberOfLeaves"] = LogInt(r, 4, small ? 32 : 64),
            ["numberOfTrees"] = LogInt(r, 50, 400),
            ["learningRate"] = Log(r, 0.02, 0.3),
            ["minimumExampleCountPerLeaf"] = LogInt(r, 2, small ? 30 : 50),
            ["featureFraction"] = Uniform(r, 0.5, 1),
        },
        "fastforest" => new()
        {
            ["numberOfLeaves"] = LogInt(r, 8, small ? 64 : 256),
            ["numberOfTrees"] = LogInt(r, 100, 300),
            ["minimumExampleCountPerLeaf"] = LogInt(r, 1, 20),
            ["featureFraction"] = Uniform(r, 0.3, 1),
        },
        "sdca" => new() { ["l2Regularization"] = Log(r, 1e-4, 1), ["maximumNumberOfIterations"] = LogInt(r, 50, 300) },
        "lbfgs" => new() { ["l1Regularization"] = Log(r, 1e-4, 1), ["l2Regularization"] = Log(r, 1e-4, 10) },
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Unknown trainer."),
    };

    // Rounded so candidate ids and logs stay readable; draws stay deterministic for a seed.
    private static double Uniform(Random r, double min, double max) => Math.Round(min + (r.NextDouble() * (max - min)), 3);

    private static double Log(Random r, double min, double max) => RoundSignificant(Math.Exp(Math.Log(min) + (r.NextDouble() * (Math.Log(max) - Math.Log(min)))));

    private static double LogInt(Random r, int min, int max) =>
        Math.Clamp(Math.Floor(Math.Exp(Math.Log(min) + (r.NextDouble() * (Math.Log(max + 1) - Math.Log(min))))), min, max);

    private static double RoundSignificant(double v) => Math.Round(v, 3 - (int)Math.Floor(Math.Log10(Math.Abs(v))), MidpointRounding.AwayFromZero);
}
