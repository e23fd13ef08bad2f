using System.Globalization;
using System.Text.Json.Serialization;
using Mlops.Core.Projects;

namespace Mlops.Monitoring;

/// <summary>Outcome of a live-quality check.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QualityVerdict>))]
public enum QualityVerdict
{
    /// <summary>The live metric is within the threshold of the holdout metric.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>The live metric fell past the threshold: a retraining trigger.</summary>
    [JsonStringEnumMemberName("dropped")] Dropped,
    /// <summary>No feedback joined in the window.</summary>
    [JsonStringEnumMemberName("notEnoughData")] NotEnoughData,
}

/// <summary>
/// Live quality over one window: feedback (the actual value) joined with the logged prediction, accumulated in
/// memory bounded by the number of classes. Classification keeps a confusion matrix (accuracy, macroF1);
/// regression keeps sums (rmse, mae, r2). Mergeable and serialisable like <see cref="DriftWindow"/>.
/// </summary>
public sealed class QualityWindow
{
    private readonly Dictionary<(string Actual, string Predicted), long> _confusion = [];
    private long _n;
    private double _sumAbs, _sumSquares, _actualMean, _actualM2;

    private QualityWindow(TaskKind task, string metric)
    {
        Task = task;
        Metric = metric;
    }

    /// <summary>The task the model solves.</summary>
    public TaskKind Task { get; }

    /// <summary>The spec metric computed (a name from <see cref="Metrics"/>).</summary>
    public string Metric { get; }

    /// <summary>Prediction/actual pairs added.</summary>
    public long Count => _n;

    /// <summary>An empty window computing <paramref name="metric"/> for <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">The metric does not apply to the task, or needs scores this window does not keep (logLoss, auc).</exception>
    public static QualityWindow Create(TaskKind task, string metric)
    {
        if (!Metrics.AppliesTo(metric, task))
        {
            throw new ArgumentException($"Metric '{metric}' does not apply to {task} models.", nameof(metric));
        }

        if (metric is "logLoss" or "auc")
        {
            throw new ArgumentException($"Live quality cannot compute '{metric}': it needs class scores, and feedback is joined to predicted labels. Use accuracy or macroF1.", nameof(metric));
        }

        return new QualityWindow(task, metric);
    }

    /// <summary>Adds one classification pair (labels compared ordinally).</summary>
    public void AddClassification(string predicted, string actual)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(actual);
        RequireClassification();
        var key = (actual, predicted);
        _confusion[key] = _confusion.GetValueOrDefault(key) + 1;
        _n++;
    }

    /// <summary>Adds one regression pair. Non-finite values are rejected.</summary>
    public void AddRegression(double predicted, double actual)
    {
        if (Task != TaskKind.Regression)
        {
            throw new InvalidOperationException($"This window scores a {Task} model; add labels with AddClassification.");
        }

        if (!double.IsFinite(predicted) || !double.IsFinite(actual))
        {
            throw new ArgumentException($"Regression feedback must be finite (predicted {predicted}, actual {actual}).", nameof(actual));
        }

        var error = predicted - actual;
        _n++;
        _sumAbs += Math.Abs(error);
        _sumSquares += error * error;
        var delta = actual - _actualMean;
        _actualMean += delta / _n;
        _actualM2 += delta * (actual - _actualMean);
    }

    private void RequireClassification()
    {
        if (Task == TaskKind.Regression)
        {
            throw new InvalidOperationException("This window scores a regression model; add values with AddRegression.");
        }
    }

    /// <summary>Folds another window of the same task and metric into this one.</summary>
    public void Merge(QualityWindow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Task != Task || other.Metric != Metric)
        {
            throw new ArgumentException($"Cannot merge a {other.Task}/{other.Metric} window into a {Task}/{Metric} window.", nameof(other));
        }

        foreach (var (key, count) in other._confusion)
        {
            _confusion[key] = _confusion.GetValueOrDefault(key) + count;
        }

        if (other._n > 0 && Task == TaskKind.Regression)
        {
            double na = _n, nb = other._n, total = na + nb;
            var delta = other._actualMean - _actualMean;
            _actualMean += delta * nb / total;
            _actualM2 += other._actualM2 + delta * delta * na * nb / total;
            _sumAbs += other._sumAbs;
            _sumSquares += other._sumSquares;
        }

        _n += other._n;
    }

    /// <summary>The live value of the metric, or null with no pairs (or r2 with constant actual values).</summary>
    public double? Value()
    {
        if (_n == 0)
        {
            return null;
        }

        return Metric switch
        {
            "accuracy" => (double)_confusion.Where(p => p.Key.Actual == p.Key.Predicted).Sum(p => p.Value) / _n,
            "macroF1" => MacroF1(),
            "rmse" => Math.Sqrt(_sumSquares / _n),
            "mae" => _sumAbs / _n,
            "r2" => _actualM2 > 0 ? 1 - _sumSquares / _actualM2 : null,
            _ => throw new InvalidOperationException($"Unsupported metric '{Metric}'."),
        };
    }

    /// <summary>
    /// Mean over every label seen as actual or predicted of F1 = 2TP / (2TP + FP + FN) (scikit-learn's
    /// <c>f1_score(average='macro')</c> on the labels present).
    /// </summary>
    private double MacroF1()
    {
        var labels = _confusion.Keys.SelectMany(k => new[] { k.Actual, k.Predicted }).Distinct(StringComparer.Ordinal).ToList();
        var total = 0.0;
        foreach (var label in labels)
        {
            long tp = 0, fp = 0, fn = 0;
            foreach (var ((actual, predicted), count) in _confusion)
            {
                if (actual == label && predicted == label)
                {
                    tp += count;
                }
                else if (predicted == label)
                {
                    fp += count;
                }
                else if (actual == label)
                {
                    fn += count;
                }
            }

            total += 2.0 * tp / (2.0 * tp + fp + fn);
        }

        return total / labels.Count;
    }

    /// <summary>
    /// Compares the live metric with <paramref name="holdoutValue"/> (the metric at registration). Dropped when the
    /// live value is worse by more than <paramref name="dropThreshold"/>, in the metric's own units and direction
    /// (<see cref="Metrics.Improvement"/>).
    /// </summary>
    public QualityReport Evaluate(double holdoutValue, double dropThreshold)
    {
        var value = Value();
        if (value is null)
        {
            return new QualityReport
            {
                Metric = Metric,
                Count = _n,
                HoldoutValue = holdoutValue,
                Threshold = dropThreshold,
                Verdict = QualityVerdict.NotEnoughData,
                Reason = _n == 0 ? "No feedback joined to predictions in the window." : $"'{Metric}' is undefined on this window (constant actual values).",
            };
        }

        var drop = -Metrics.Improvement(Metric, value.Value, holdoutValue);
        var dropped = drop > dropThreshold;
        var reason = string.Create(CultureInfo.InvariantCulture,
            $"Live {Metric} {value:G4} vs holdout {holdoutValue:G4}: a drop of {drop:G4} {(dropped ? ">" : "≤")} {dropThreshold} (n {_n:N0}).");
        return new QualityReport
        {
            Metric = Metric,
            Count = _n,
            Value = value,
            HoldoutValue = holdoutValue,
            Drop = drop,
            Threshold = dropThreshold,
            Verdict = dropped ? QualityVerdict.Dropped : QualityVerdict.Ok,
            Reason = reason,
        };
    }

    /// <summary>The accumulated counts as a JSON-serialisable record.</summary>
    public QualityWindowState ToState() => new()
    {
        Task = Task,
        Metric = Metric,
        Count = _n,
        Confusion = _confusion.Select(p => new ConfusionCell(p.Key.Actual, p.Key.Predicted, p.Value))
            .OrderBy(c => c.Actual, StringComparer.Ordinal).ThenBy(c => c.Predicted, StringComparer.Ordinal).ToList(),
        SumAbsoluteError = _sumAbs,
        SumSquaredError = _sumSquares,
        ActualMean = _actualMean,
        ActualM2 = _actualM2,
    };

    /// <summary>A window holding the counts of <paramref name="state"/>.</summary>
    public static QualityWindow FromState(QualityWindowState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var window = Create(state.Task, state.Metric);
        foreach (var cell in state.Confusion)
        {
            window._confusion[(cell.Actual, cell.Predicted)] = cell.Count;
        }

        window._n = state.Count;
        window._sumAbs = state.SumAbsoluteError;
        window._sumSquares = state.SumSquaredError;
        window._actualMean = state.ActualMean;
        window._actualM2 = state.ActualM2;
        return window;
    }
}

/// <summary>The saved counts of a <see cref="QualityWindow"/>.</summary>
public sealed record QualityWindowState
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Task of the model.</summary>
    public required TaskKind Task { get; init; }

    /// <summary>Metric name.</summary>
    public required string Metric { get; init; }

    /// <summary>Pairs added.</summary>
    public required long Count { get; init; }

    /// <summary>Confusion matrix cells (classification).</summary>
    public required IReadOnlyList<ConfusionCell> Confusion { get; init; }

    /// <summary>Σ|predicted − actual| (regression).</summary>
    public double SumAbsoluteError { get; init; }

    /// <summary>Σ(predicted − actual)² (regression).</summary>
    public double SumSquaredError { get; init; }

    /// <summary>Mean of the actual values (regression, for r2).</summary>
    public double ActualMean { get; init; }

    /// <summary>Σ(actual − mean)² (regression, for r2).</summary>
    public double ActualM2 { get; init; }
}

/// <summary>How many times <see cref="Actual"/> was predicted as <see cref="Predicted"/>.</summary>
public sealed record ConfusionCell(string Actual, string Predicted, long Count);

/// <summary>A live-quality check of one window (part of <c>GET /api/models/{name}/monitoring</c>; camelCase, add fields, never rename).</summary>
public sealed record QualityReport
{
    /// <summary>Metric name.</summary>
    public required string Metric { get; init; }

    /// <summary>Prediction/feedback pairs in the window.</summary>
    public required long Count { get; init; }

    /// <summary>Live value of the metric; null without data.</summary>
    public double? Value { get; init; }

    /// <summary>The metric on the holdout at registration.</summary>
    public required double HoldoutValue { get; init; }

    /// <summary>How much worse the live value is (positive = worse), in the metric's units.</summary>
    public double? Drop { get; init; }

    /// <summary>The drop past which quality counts as dropped.</summary>
    public required double Threshold { get; init; }

    /// <summary>The outcome.</summary>
    public required QualityVerdict Verdict { get; init; }

    /// <summary>A sentence with the figures.</summary>
    public required string Reason { get; init; }
}
