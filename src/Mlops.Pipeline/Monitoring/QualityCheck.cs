using System.Globalization;
using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Monitoring;

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// The live-quality check: feedback joined to the production version's logged predictions, the spec metric over the
/// window against the holdout value on the model card; a drop past the threshold retrains through <see cref="RetrainPolicy"/>.
/// </summary>
internal sealed class QualityCheck(MonitoringContext context, RetrainPolicy policy)
{
    /// <summary>
    /// Joins feedback reported since the last quality window to the production version's logged predictions, computes the
    /// spec metric, compares it with the holdout value on the model card, stores the window, and on a drop past
    /// <c>retrain.qualityDropThreshold</c> starts a retraining (unless cooling down).
    /// </summary>
    public async Task<CheckOutcome> CheckAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var spec = await context.Catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = spec.ModelName;
        if (await context.ProductionAsync(model, cancellationToken).ConfigureAwait(false) is not { } production)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped", "The model has no production version yet."), cancellationToken).ConfigureAwait(false);
        }

        var metric = production.Card.Metric ?? spec.Spec.Metric;
        var task = production.Card.Task ?? spec.Spec.Task;
        if (!production.Card.Metrics.TryGetValue(metric, out var holdout))
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"The model card of version {production.Version} has no holdout '{metric}'."), cancellationToken).ConfigureAwait(false);
        }

        QualityWindow quality;
        try
        {
            quality = QualityWindow.Create(task, metric);
        }
        catch (ArgumentException e)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped", e.Message), cancellationToken).ConfigureAwait(false);
        }

        var previous = await context.Store.ListQualityAsync(model, MonitoringContext.ReportsScanned, cancellationToken)
            .Where(w => w.ModelVersion == production.Version).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var start = previous?.WindowEnd ?? production.CreatedAt;
        var end = context.WindowEnd(now);
        if (end <= start)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"The window since {start:O} has not settled yet."), cancellationToken).ConfigureAwait(false);
        }

        // Memory: the window's feedback (one entry per reported truth); predictions are streamed past it.
        var truths = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        await foreach (var feedback in context.Catalog.Feedback.ListAsync(model, start, end, cancellationToken).ConfigureAwait(false))
        {
            truths[feedback.PredictionId] = feedback.Actual;
        }

        var feedbackRows = truths.Count;
        if (feedbackRows == 0)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"No feedback reported in [{start:O}, {end:O})."), cancellationToken).ConfigureAwait(false);
        }

        long joined = 0, invalid = 0;
        var from = production.CreatedAt > end - context.Options.QualityLookback ? production.CreatedAt : end - context.Options.QualityLookback;
        await foreach (var record in context.Catalog.Predictions.ReadAsync(model, from, end, cancellationToken).ConfigureAwait(false))
        {
            if (record.Version != production.Version || !truths.Remove(record.PredictionId, out var actual))
            {
                continue;
            }

            if (AddPair(quality, record.Output, actual))
            {
                joined++;
            }
            else
            {
                invalid++;
            }
        }

        if (joined < context.Options.QualityMinPairs)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, "skipped",
                string.Create(CultureInfo.InvariantCulture,
                    $"{feedbackRows} feedback rows in [{start:O}, {end:O}), {joined} joined to predictions of version {production.Version}; a quality window needs {context.Options.QualityMinPairs} (MLOPS_QUALITY_MIN_PAIRS). The window grows until then.")),
                cancellationToken).ConfigureAwait(false);
        }

        var result = quality.Evaluate(holdout, spec.Spec.Retrain.QualityDropThreshold);
        var windowId = string.Create(CultureInfo.InvariantCulture, $"{model}-v{production.Version}-q-{end.UtcTicks}");
        await context.Store.SaveQualityAsync(new QualityWindowRecord
        {
            WindowId = windowId,
            Model = model,
            ModelVersion = production.Version,
            WindowStart = start,
            WindowEnd = end,
            CreatedAt = now,
            FeedbackRows = feedbackRows,
            JoinedRows = joined,
            InvalidActuals = invalid,
            Report = result,
        }, cancellationToken).ConfigureAwait(false);

        var outcome = MonitoringContext.ToCamel(result.Verdict.ToString());
        if (result.Verdict != QualityVerdict.Dropped)
        {
            return await context.NoteAsync(new CheckOutcome(project, "quality", now, outcome, result.Reason, windowId), cancellationToken).ConfigureAwait(false);
        }

        var decision = await policy.RetrainAsync(spec, production.Version, RunTrigger.Quality, windowId, end, starter, now, cancellationToken).ConfigureAwait(false);
        return await context.NoteAsync(new CheckOutcome(project, "quality", now, outcome, result.Reason + " " + decision.Reason, windowId, decision.RunId, decision.Started), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds one prediction/truth pair; false when the truth or the logged output does not fit the task.</summary>
    internal static bool AddPair(QualityWindow quality, JsonElement output, JsonElement actual)
    {
        if (quality.Task == TaskKind.Regression)
        {
            if (NumberOf(output) is { } predicted && NumberOf(actual) is { } truth && double.IsFinite(predicted) && double.IsFinite(truth))
            {
                quality.AddRegression(predicted, truth);
                return true;
            }

            return false;
        }

        var label = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("label", out var l) ? LabelOf(l) : LabelOf(output);
        var actualLabel = LabelOf(actual);
        if (label is null || actualLabel is null)
        {
            return false;
        }

        quality.AddClassification(label, actualLabel);
        return true;
    }

    private static string? LabelOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static double? NumberOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        JsonValueKind.Object when value.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number => v.GetDouble(),
        _ => null,
    };
}
