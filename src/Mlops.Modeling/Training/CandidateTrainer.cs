using System.Diagnostics;
using Microsoft.ML;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>A model fitted on a set of rows, and how long the fit took.</summary>
/// <param name="Candidate">What was trained.</param>
/// <param name="Model">The reloadable model (ML.NET zip + feature plan).</param>
/// <param name="TrainRows">Rows trained on (with a target).</param>
/// <param name="TrainingDuration">Wall time of the fit.</param>
public sealed record FittedModel(CandidateSpec Candidate, ModelBundle Model, int TrainRows, TimeSpan TrainingDuration);

/// <summary>Fits one candidate: the whole ML.NET pipeline (featurization and trainer) on the rows given.</summary>
public static class CandidateTrainer
{
    /// <summary>
    /// Fits <paramref name="candidate"/> on the labelled rows of <paramref name="train"/>. <paramref name="plan"/> fixes the
    /// columns and class labels (cross-validation folds share the plan of the whole training part); null fits one here.
    /// </summary>
    public static FittedModel Fit(DataTable train, ProjectSpec spec, CandidateSpec candidate, FeaturePlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(candidate);
        var stopwatch = Stopwatch.StartNew();
        var labelled = WithTarget(train, spec.Target);
        plan ??= FeaturePlan.Fit(labelled, spec);
        CheckClasses(plan);

        var ml = new MLContext(spec.Seed);
        var weighted = UsesClassWeights(spec, candidate);
        var data = MlNetData.ToDataView(ml, plan, labelled, withLabel: true, weighted ? MlNetData.BalancedWeights(plan, labelled) : null);
        var fitted = FeaturePipeline.Create(ml, plan, candidate, spec.Seed, weighted).Fit(data);
        var bundle = ModelBundle.FromFitted(plan, ml, fitted, labelled);
        stopwatch.Stop();
        return new FittedModel(candidate, bundle, labelled.RowCount, stopwatch.Elapsed);
    }

    /// <summary>Classes are weighted to equal total weight when the candidate asks for it (<c>classWeights</c> = 1), which the search only offers for classification.</summary>
    internal static bool UsesClassWeights(ProjectSpec spec, CandidateSpec candidate) =>
        spec.Task != TaskKind.Regression && candidate.Get(CandidateSearch.ClassWeights, 0) >= 0.5;

    internal static DataTable WithTarget(DataTable table, string target)
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
