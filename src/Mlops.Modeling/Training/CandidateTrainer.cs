using System.Diagnostics;
using Microsoft.ML;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>A trained candidate: its model, holdout metrics and how long it trained.</summary>
public sealed record TrainedCandidate
{
    /// <summary>What was trained.</summary>
    public required CandidateSpec Candidate { get; init; }

    /// <summary>The reloadable model (ML.NET zip + feature plan).</summary>
    public required ModelBundle Model { get; init; }

    /// <summary>Holdout metrics by name (<see cref="Metrics"/> names).</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Wall time of featurization and fitting.</summary>
    public required TimeSpan TrainingDuration { get; init; }

    /// <summary>Rows trained on (with a target).</summary>
    public required int TrainRows { get; init; }

    /// <summary>Holdout rows scored (with a target).</summary>
    public required int HoldoutRows { get; init; }
}

/// <summary>Trains one candidate. Each call is independent, so the pipeline can fan candidates out as separate activities.</summary>
public static class CandidateTrainer
{
    /// <summary>Fits the feature plan and the candidate's trainer on <paramref name="train"/> and scores <paramref name="holdout"/>.</summary>
    public static TrainedCandidate Train(DataTable train, DataTable holdout, ProjectSpec spec, CandidateSpec candidate)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(candidate);
        var stopwatch = Stopwatch.StartNew();
        var labelled = WithTarget(train, spec.Target);
        var plan = FeaturePlan.Fit(labelled, spec, TrainerFactory.NeedsNormalization(candidate.Trainer));
        CheckClasses(plan);

        var ml = new MLContext(spec.Seed);
        var data = MlNetData.ToDataView(ml, plan, labelled);
        var fitted = TrainerFactory.Create(ml, spec.Task, candidate, spec.Seed).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(fitted, data.Schema, stream);
        stopwatch.Stop();

        var bundle = ModelBundle.FromFitted(plan, stream.ToArray(), fitted);
        var metrics = MetricCalculator.Compute(bundle.Predict(holdout), holdout, spec.Target);
        return new TrainedCandidate
        {
            Candidate = candidate,
            Model = bundle,
            Metrics = metrics,
            TrainingDuration = stopwatch.Elapsed,
            TrainRows = labelled.RowCount,
            HoldoutRows = Enumerable.Range(0, holdout.RowCount).Count(r => Labels.HasTarget(holdout[spec.Target], r)),
        };
    }

    /// <summary>The best of <paramref name="candidates"/> by <paramref name="metric"/> in its better direction (ties: the earlier one).</summary>
    public static TrainedCandidate Best(IEnumerable<TrainedCandidate> candidates, string metric)
    {
        var higher = Metrics.HigherIsBetter(metric);
        return candidates
            .Where(c => c.Metrics.TryGetValue(metric, out var v) && !double.IsNaN(v))
            .Aggregate((TrainedCandidate?)null, (best, c) => best is null || (higher ? c.Metrics[metric] > best.Metrics[metric] : c.Metrics[metric] < best.Metrics[metric]) ? c : best)
            ?? throw new MlopsException(ErrorCode.Rejected, $"No candidate has a value for metric '{metric}'.");
    }

    private static DataTable WithTarget(DataTable table, string target)
    {
        if (!table.Contains(target))
        {
            throw MlopsException.Invalid(target, "required", $"Target column '{target}' is not in the dataset.");
        }

        var column = table[target];
        var rows = Enumerable.Range(0, table.RowCount).Where(r => Labels.HasTarget(column, r)).ToList();
        return rows.Count == table.RowCount ? table : table.SelectRows(rows);
    }

    private static void CheckClasses(FeaturePlan plan)
    {
        var expected = plan.Task switch
        {
            TaskKind.Binary => plan.ClassLabels.Count == 2,
            TaskKind.Multiclass => plan.ClassLabels.Count >= 2,
            _ => true,
        };
        if (!expected)
        {
            throw MlopsException.Invalid(plan.Target, "classes",
                $"A {plan.Task.ToString().ToLowerInvariant()} target needs {(plan.Task == TaskKind.Binary ? "exactly 2" : "at least 2")} classes in the training rows; found {plan.ClassLabels.Count}.");
        }
    }
}
