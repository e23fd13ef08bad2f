using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Evaluation;

/// <summary>
/// The holdout metrics, computed here (not by ML.NET's evaluators) so ML.NET models and ONNX models, ours or
/// registered from elsewhere, are scored by the same functions. Names are those of <see cref="Metrics"/>.
/// </summary>
public static class MetricCalculator
{
    /// <summary>Probabilities are clipped to [1e-15, 1 − 1e-15] in log-loss, as scikit-learn does, so one confident miss stays finite.</summary>
    public const double LogLossEpsilon = 1e-15;

    /// <summary>All metrics of <paramref name="predictions"/> against the target column of <paramref name="holdout"/> (rows with a missing target are skipped).</summary>
    public static IReadOnlyDictionary<string, double> Compute(PredictionSet predictions, DataTable holdout, string target)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(holdout);
        var column = holdout[target];
        var rows = Enumerable.Range(0, holdout.RowCount).Where(r => Labels.HasTarget(column, r)).ToArray();
        if (predictions.Task == TaskKind.Regression)
        {
            return Regression(rows.Select(r => Labels.ValueAt(column, r)).ToArray(), rows.Select(r => (double)predictions.Values[r]).ToArray());
        }

        return Classification(predictions, rows, rows.Select(r => Labels.LabelAt(column, r)!).ToArray());
    }

    /// <summary>rmse, mae, r2.</summary>
    public static IReadOnlyDictionary<string, double> Regression(double[] actual, double[] predicted)
    {
        var n = actual.Length;
        if (n == 0)
        {
            return new Dictionary<string, double>();
        }

        var mean = actual.Average();
        double se = 0, ae = 0, ss = 0;
        for (var i = 0; i < n; i++)
        {
            var e = actual[i] - predicted[i];
            se += e * e;
            ae += Math.Abs(e);
            ss += (actual[i] - mean) * (actual[i] - mean);
        }

        return new Dictionary<string, double>
        {
            ["rmse"] = Math.Sqrt(se / n),
            ["mae"] = ae / n,
            ["r2"] = ss > 0 ? 1 - (se / ss) : 0,
        };
    }

    private static Dictionary<string, double> Classification(PredictionSet predictions, int[] rows, string[] actual)
    {
        var classes = predictions.ClassLabels;
        var classIndex = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var n = rows.Length;
        var result = new Dictionary<string, double>();
        if (n == 0)
        {
            return result;
        }

        var correct = 0;
        double logLoss = 0;
        var labelSet = actual.Concat(rows.Select(r => predictions.Labels[r])).Distinct(StringComparer.Ordinal).ToList();
        var tp = labelSet.ToDictionary(l => l, _ => 0, StringComparer.Ordinal);
        var fp = labelSet.ToDictionary(l => l, _ => 0, StringComparer.Ordinal);
        var fn = labelSet.ToDictionary(l => l, _ => 0, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var predicted = predictions.Labels[rows[i]];
            if (predicted == actual[i])
            {
                correct++;
                tp[predicted]++;
            }
            else
            {
                fp[predicted]++;
                fn[actual[i]]++;
            }

            // A class the model never saw has probability 0: the clip makes that a large but finite penalty.
            var p = classIndex.TryGetValue(actual[i], out var k) ? predictions.Probability(rows[i], k) : 0f;
            logLoss -= Math.Log(Math.Clamp(p, LogLossEpsilon, 1 - LogLossEpsilon));
        }

        result["accuracy"] = (double)correct / n;
        result["macroF1"] = labelSet.Average(l =>
        {
            var denominator = (2 * tp[l]) + fp[l] + fn[l];
            return denominator == 0 ? 0 : 2.0 * tp[l] / denominator;
        });
        result["logLoss"] = logLoss / n;
        if (predictions.Task == TaskKind.Binary && classes.Count == 2)
        {
            result["auc"] = Auc(rows.Select(r => (double)predictions.Probability(r, 1)).ToArray(), actual.Select(a => a == classes[1]).ToArray());
        }

        return result;
    }

    /// <summary>Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties counted half.</summary>
    public static double Auc(double[] scores, bool[] positive)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = rank;
            }

            i = j + 1;
        }

        double positives = positive.Count(p => p);
        double negatives = positive.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        var rankSum = Enumerable.Range(0, scores.Length).Where(i => positive[i]).Sum(i => ranks[i]);
        return (rankSum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }

    /// <summary>The metrics of the naive baseline: the training majority class, or the training mean.</summary>
    public static IReadOnlyDictionary<string, double> Baseline(DataTable train, DataTable holdout, TaskKind task, string target)
    {
        var trainColumn = train[target];
        if (task == TaskKind.Regression)
        {
            var mean = Enumerable.Range(0, train.RowCount).Select(r => Labels.ValueAt(trainColumn, r)).Where(v => !double.IsNaN(v)).Average();
            return Compute(PredictionSet.ForValues(Enumerable.Repeat((float)mean, holdout.RowCount).ToArray()), holdout, target);
        }

        var classes = Labels.ClassesOf(trainColumn);
        var counts = classes.Select(c => Enumerable.Range(0, train.RowCount).Count(r => Labels.LabelAt(trainColumn, r) == c)).ToArray();
        var total = (double)counts.Sum();
        var majority = classes[Array.IndexOf(counts, counts.Max())];
        var priors = counts.Select(c => (float)(c / total)).ToArray();
        var probabilities = Enumerable.Range(0, holdout.RowCount).SelectMany(_ => priors).ToArray();
        return Compute(PredictionSet.ForClasses(task, classes, Enumerable.Repeat(majority, holdout.RowCount).ToArray(), probabilities), holdout, target);
    }
}
