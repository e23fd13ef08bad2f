using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Monitoring;
using Mlops.Pipeline;
using NCrontab;

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// The monitoring loop (DESIGN.md §6): drift of logged inputs against the production version's training profile,
/// live quality from feedback joined to logged predictions, and scheduled retraining. Every decision is stored and
/// explained; every run it starts has a deterministic id, so a retried or repeated check starts nothing twice.
/// </summary>
public sealed partial class MonitoringService(CatalogServices catalog, MonitoringStore store, MonitoringOptions options, TimeProvider time, ILogger<MonitoringService> logger)
{
    private const int ReportsScanned = 50;

    /// <summary>Runs the drift and live-quality checks of every project; returns one outcome per check and project.</summary>
    /// <exception cref="AggregateException">Some project's check failed (the others still ran; their outcomes are stored).</exception>
    public async Task<IReadOnlyList<CheckOutcome>> CheckAllAsync(IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var outcomes = new List<CheckOutcome>();
        var failures = new List<Exception>();
        await foreach (var project in catalog.Projects.ListProjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var check in new Func<string, IRetrainStarter, CancellationToken, Task<CheckOutcome>>[] { CheckDriftAsync, CheckQualityAsync })
            {
                try
                {
                    var outcome = await check(project, starter, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(outcome);
                    LogOutcome(logger, outcome.Check, outcome.Project, outcome.Outcome, outcome.ToString());
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(logger, e, project);
                    failures.Add(e);
                }
            }
        }

        return failures.Count == 0 ? outcomes : throw new AggregateException("Some monitoring checks failed; see the invocation logs.", failures);
    }

    /// <summary>Runs the scheduled-retraining check of every project.</summary>
    public async Task<IReadOnlyList<CheckOutcome>> CheckSchedulesAsync(IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var outcomes = new List<CheckOutcome>();
        var failures = new List<Exception>();
        await foreach (var project in catalog.Projects.ListProjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var outcome = await CheckScheduleAsync(project, starter, cancellationToken).ConfigureAwait(false);
                outcomes.Add(outcome);
                LogOutcome(logger, outcome.Check, outcome.Project, outcome.Outcome, outcome.ToString());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(logger, e, project);
                failures.Add(e);
            }
        }

        return failures.Count == 0 ? outcomes : throw new AggregateException("Some schedule checks failed; see the invocation logs.", failures);
    }

    /// <summary>
    /// Compares the production version's logged inputs since its last drift window with its training profile, stores the
    /// report, and on drift starts a retraining (unless cooling down).
    /// </summary>
    public async Task<CheckOutcome> CheckDriftAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = spec.ModelName;
        if (await ProductionAsync(model, cancellationToken).ConfigureAwait(false) is not { } production)
        {
            return await NoteAsync(new CheckOutcome(project, "drift", now, "skipped", "The model has no production version yet."), cancellationToken).ConfigureAwait(false);
        }

        DatasetProfile profile;
        try
        {
            var bytes = await catalog.Models.ReadArtifactAsync(model, production.Version, RegisterStage.ProfileArtifact, cancellationToken).ConfigureAwait(false);
            profile = bytes.ToObjectFromJson<DatasetProfile>(CatalogJson.Options)!;
        }
        catch (MlopsException e) when (e.Code == ErrorCode.NotFound)
        {
            return await NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                $"Version {production.Version} has no '{RegisterStage.ProfileArtifact}' (registered outside the pipeline): nothing to compare with."), cancellationToken).ConfigureAwait(false);
        }

        var inputs = production.Card.Signature.Inputs.Select(i => i.Name).ToList();
        var features = inputs.Where(f => profile.Find(f) is { Numeric: not null } or { Categorical: not null }).ToList();
        var notChecked = inputs.Except(features, StringComparer.Ordinal).ToList();
        if (features.Count == 0)
        {
            return await NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                $"None of the inputs of version {production.Version} has a numeric or categorical training profile."), cancellationToken).ConfigureAwait(false);
        }

        var reports = await catalog.DriftReports.ListAsync(model, ReportsScanned, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var previous = reports.Where(r => r.ModelVersion == production.Version).MaxBy(r => r.WindowEnd);
        var start = previous?.WindowEnd ?? production.CreatedAt;
        var end = WindowEnd(now);
        if (end <= start)
        {
            return await NoteAsync(new CheckOutcome(project, "drift", now, "skipped", $"The window since {start:O} has not settled yet."), cancellationToken).ConfigureAwait(false);
        }

        // Streamed: the window keeps bounded counts per feature, never the rows.
        var window = DriftDetector.Create(profile, features, spec.Spec.Retrain.DriftThreshold);
        long rows = 0;
        await foreach (var record in catalog.Predictions.ReadAsync(model, start, end, cancellationToken).ConfigureAwait(false))
        {
            if (record.Version == production.Version)
            {
                window.Add(record.Inputs);
                rows++;
            }
        }

        if (rows < options.DriftMinRows)
        {
            // Nothing is stored, so the next check's window starts at the same place and has more rows.
            var recovered = await RecoverDriftRunAsync(spec, production, previous, starter, now, cancellationToken).ConfigureAwait(false);
            return await NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                string.Create(CultureInfo.InvariantCulture, $"Only {rows} rows of version {production.Version} logged in [{start:O}, {end:O}); a drift window needs {options.DriftMinRows} (MLOPS_DRIFT_MIN_ROWS). The window grows until then.")
                + (recovered is null ? "" : $" Retraining for the drifted report {previous!.ReportId}: run {recovered.Value.RunId}."),
                RunId: recovered?.RunId, RunStarted: recovered?.Started ?? false), cancellationToken).ConfigureAwait(false);
        }

        var report = window.Evaluate(model, production.Version, start, end);
        var reportId = string.Create(CultureInfo.InvariantCulture, $"{model}-v{production.Version}-{end.UtcTicks}");
        await catalog.DriftReports.SaveAsync(new DriftReportSummary
        {
            Model = model,
            ReportId = reportId,
            CreatedAt = now,
            ModelVersion = production.Version,
            DatasetSha256 = production.Card.Data.DatasetSha256,
            WindowStart = start,
            WindowEnd = end,
            SampleSize = rows,
            Drifted = report.Verdict == DriftVerdict.Drift,
            DriftedFeatures = report.DriftedFeatures,
        }, JsonSerializer.SerializeToElement(report, MonitoringJson.Options), cancellationToken).ConfigureAwait(false);

        var headline = string.Create(CultureInfo.InvariantCulture,
            $"{rows} rows of version {production.Version} in [{start:O}, {end:O}) vs {profile.RowCount} training rows: ")
            + (report.Verdict == DriftVerdict.Drift ? $"drift on {string.Join(", ", report.DriftedFeatures)}." : "no feature drifted.")
            + (notChecked.Count == 0 ? "" : $" Not checked (no numeric/categorical profile): {string.Join(", ", notChecked)}.");
        if (report.Verdict != DriftVerdict.Drift)
        {
            return await NoteAsync(new CheckOutcome(project, "drift", now, ToCamel(report.Verdict.ToString()), headline, reportId), cancellationToken).ConfigureAwait(false);
        }

        var decision = await RetrainAsync(spec, production.Version, RunTrigger.Drift, reportId, end, starter, now, cancellationToken).ConfigureAwait(false);
        return await NoteAsync(new CheckOutcome(project, "drift", now, "drift", headline + " " + decision.Reason, reportId, decision.RunId, decision.Started), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Joins feedback reported since the last quality window to the production version's logged predictions, computes the
    /// spec metric, compares it with the holdout value on the model card, stores the window, and on a drop past
    /// <c>retrain.qualityDropThreshold</c> starts a retraining (unless cooling down).
    /// </summary>
    public async Task<CheckOutcome> CheckQualityAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = spec.ModelName;
        if (await ProductionAsync(model, cancellationToken).ConfigureAwait(false) is not { } production)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped", "The model has no production version yet."), cancellationToken).ConfigureAwait(false);
        }

        var metric = production.Card.Metric ?? spec.Spec.Metric;
        var task = production.Card.Task ?? spec.Spec.Task;
        if (!production.Card.Metrics.TryGetValue(metric, out var holdout))
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"The model card of version {production.Version} has no holdout '{metric}'."), cancellationToken).ConfigureAwait(false);
        }

        QualityWindow quality;
        try
        {
            quality = QualityWindow.Create(task, metric);
        }
        catch (ArgumentException e)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped", e.Message), cancellationToken).ConfigureAwait(false);
        }

        var previous = await store.ListQualityAsync(model, ReportsScanned, cancellationToken)
            .Where(w => w.ModelVersion == production.Version).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        var start = previous?.WindowEnd ?? production.CreatedAt;
        var end = WindowEnd(now);
        if (end <= start)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"The window since {start:O} has not settled yet."), cancellationToken).ConfigureAwait(false);
        }

        // Memory: the window's feedback (one entry per reported truth); predictions are streamed past it.
        var truths = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        await foreach (var feedback in catalog.Feedback.ListAsync(model, start, end, cancellationToken).ConfigureAwait(false))
        {
            truths[feedback.PredictionId] = feedback.Actual;
        }

        var feedbackRows = truths.Count;
        if (feedbackRows == 0)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped", $"No feedback reported in [{start:O}, {end:O})."), cancellationToken).ConfigureAwait(false);
        }

        long joined = 0, invalid = 0;
        var from = production.CreatedAt > end - options.QualityLookback ? production.CreatedAt : end - options.QualityLookback;
        await foreach (var record in catalog.Predictions.ReadAsync(model, from, end, cancellationToken).ConfigureAwait(false))
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

        if (joined < options.QualityMinPairs)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, "skipped",
                string.Create(CultureInfo.InvariantCulture,
                    $"{feedbackRows} feedback rows in [{start:O}, {end:O}), {joined} joined to predictions of version {production.Version}; a quality window needs {options.QualityMinPairs} (MLOPS_QUALITY_MIN_PAIRS). The window grows until then.")),
                cancellationToken).ConfigureAwait(false);
        }

        var result = quality.Evaluate(holdout, spec.Spec.Retrain.QualityDropThreshold);
        var windowId = string.Create(CultureInfo.InvariantCulture, $"{model}-v{production.Version}-q-{end.UtcTicks}");
        await store.SaveQualityAsync(new QualityWindowRecord
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

        var outcome = ToCamel(result.Verdict.ToString());
        if (result.Verdict != QualityVerdict.Dropped)
        {
            return await NoteAsync(new CheckOutcome(project, "quality", now, outcome, result.Reason, windowId), cancellationToken).ConfigureAwait(false);
        }

        var decision = await RetrainAsync(spec, production.Version, RunTrigger.Quality, windowId, end, starter, now, cancellationToken).ConfigureAwait(false);
        return await NoteAsync(new CheckOutcome(project, "quality", now, outcome, result.Reason + " " + decision.Reason, windowId, decision.RunId, decision.Started), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a scheduled retraining when an occurrence of <c>retrain.schedule</c> passed since the last scheduled run and at
    /// least <c>retrain.minNewRows</c> rows arrived in dataset versions newer than the last run's; otherwise says why not.
    /// </summary>
    public async Task<CheckOutcome> CheckScheduleAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (spec.Spec.Retrain.Schedule is not { Length: > 0 } expression)
        {
            return await NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", "The spec has no retrain.schedule."), cancellationToken).ConfigureAwait(false);
        }

        CrontabSchedule schedule;
        try
        {
            schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        }
        catch (CrontabException e)
        {
            return await NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", $"retrain.schedule is not a six-field NCRONTAB expression: {e.Message}"), cancellationToken).ConfigureAwait(false);
        }

        var runs = await catalog.Runs.ListAsync(project, cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            return await NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", "The project has no run yet: the first training starts with an upload."), cancellationToken).ConfigureAwait(false);
        }

        // Occurrences are counted from the last scheduled run's own occurrence (its trigger reference), else from the
        // latest run of any kind: a fresh model is not retrained by the first schedule tick after it.
        var since = runs[0].CreatedAt;
        if (runs.FirstOrDefault(r => r.Trigger == RunTrigger.Schedule) is { } lastScheduled)
        {
            var record = await catalog.Runs.FindAsync(lastScheduled.RunId, cancellationToken).ConfigureAwait(false);
            since = DateTimeOffset.TryParse(record?.Lineage.TriggerReference, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurrenceOfLast)
                ? occurrenceOfLast
                : lastScheduled.CreatedAt;
        }

        // Bounded enumeration: a per-second schedule over a long quiet time must not walk millions of occurrences.
        var from = since > now.AddDays(-31) ? since : now.AddDays(-31);
        var occurrences = schedule.GetNextOccurrences(from.UtcDateTime, now.UtcDateTime.AddTicks(1));
        DateTime? latest = null;
        foreach (var occurrence in occurrences)
        {
            latest = occurrence;
        }

        if (latest is null)
        {
            return await NoteAsync(new CheckOutcome(project, "schedule", now, "skipped",
                $"No occurrence of '{expression}' since {since:O}; next at {schedule.GetNextOccurrence(now.UtcDateTime):O}."), cancellationToken).ConfigureAwait(false);
        }

        var slot = new DateTimeOffset(DateTime.SpecifyKind(latest.Value, DateTimeKind.Utc));
        var datasets = await catalog.Datasets.ListAsync(project, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var lastDataset = datasets.FirstOrDefault(d => d.Sha256 == runs[0].DatasetSha256);
        var newer = datasets.Where(d => lastDataset is null || d.Version > lastDataset.Version).ToList();
        var newRows = newer.Sum(d => d.RowCount);
        if (newRows < spec.Spec.Retrain.MinNewRows)
        {
            return await NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", string.Create(CultureInfo.InvariantCulture,
                $"Occurrence {slot:O} is due, but only {newRows} new rows arrived in {newer.Count} dataset version(s) since the last run's dataset (v{lastDataset?.Version}); retrain.minNewRows is {spec.Spec.Retrain.MinNewRows}.")),
                cancellationToken).ConfigureAwait(false);
        }

        var runId = ScheduleRunId(project, slot);
        var training = await TrainingDatasetsAsync(project, cancellationToken).ConfigureAwait(false);
        var started = await starter.StartAsync(new RetrainRequest(project, runId, training.Versions, RunTrigger.Schedule,
            slot.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
        return await NoteAsync(new CheckOutcome(project, "schedule", now, "due", string.Create(CultureInfo.InvariantCulture,
            $"Occurrence {slot:O} of '{expression}' with {newRows} new rows (≥ {spec.Spec.Retrain.MinNewRows}): retraining on {training.Versions.Count} dataset version(s).{training.Note}"),
            RunId: runId, RunStarted: started), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The run id of a drift or quality episode: one per project, trigger, production version and cool-down period, so
    /// every check that sees the same episode names the same run.
    /// </summary>
    public static string EpisodeRunId(string project, RunTrigger trigger, int productionVersion, DateTimeOffset decidedAt, int cooldownMinutes)
    {
        var period = Math.Max(1, cooldownMinutes) * 60L;
        var episode = decidedAt.ToUnixTimeSeconds() / period;
        var kind = trigger == RunTrigger.Quality ? "quality" : "drift";
        return string.Create(CultureInfo.InvariantCulture, $"{project}-{kind}-v{productionVersion}-{episode}");
    }

    /// <summary>The run id of a schedule occurrence.</summary>
    public static string ScheduleRunId(string project, DateTimeOffset occurrence) =>
        $"{project}-schedule-{occurrence.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Feedback for <c>POST /api/models/{name}/feedback</c>: validates every item (errors name <c>[i].field</c>), then stores them.</summary>
    public async Task<FeedbackResponse> AddFeedbackAsync(string model, byte[] body, CancellationToken cancellationToken)
    {
        var items = FeedbackParser.Parse(body, options.MaxFeedbackItems);
        var found = await catalog.Models.FindVersionAsync(model, 1, cancellationToken).ConfigureAwait(false)
                    ?? throw MlopsException.NotFound($"Model '{model}' has no versions: feedback refers to its predictions.");
        var now = time.GetUtcNow();
        var result = await catalog.Feedback.AddAsync(found.Model, items.Select(i => new FeedbackRecord(i.PredictionId, i.Actual, now)).ToList(), cancellationToken).ConfigureAwait(false);
        return new FeedbackResponse(model, result.Accepted, result.Duplicates.Count, result.Duplicates);
    }

    /// <summary>The monitoring view of a model: latest drift reports with per-feature figures, quality windows, check notes.</summary>
    public async Task<MonitoringResponse> GetAsync(string model, int reports, int windows, CancellationToken cancellationToken)
    {
        var project = await catalog.Projects.FindAsync(model, cancellationToken: cancellationToken).ConfigureAwait(false);
        var alias = await catalog.Models.FindAliasAsync(model, ModelRegistry.ProductionAlias, cancellationToken).ConfigureAwait(false);
        if (project is null && alias is null && await catalog.Models.FindVersionAsync(model, 1, cancellationToken).ConfigureAwait(false) is null)
        {
            throw MlopsException.NotFound($"No project or model '{model}'.");
        }

        var views = new List<DriftReportView>();
        await foreach (var summary in catalog.DriftReports.ListAsync(model, reports, cancellationToken).ConfigureAwait(false))
        {
            var (_, full) = await catalog.DriftReports.GetAsync(model, summary.ReportId, cancellationToken).ConfigureAwait(false);
            var report = full.Deserialize<DriftReport>(MonitoringJson.Options)!;
            views.Add(new DriftReportView(summary, report.Verdict, report.ReferenceRows, report.Features));
        }

        var quality = await store.ListQualityAsync(model, windows, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var notes = await store.ListNotesAsync(model, cancellationToken).ConfigureAwait(false);
        return new MonitoringResponse(model, alias?.Version, views, quality, notes);
    }

    private async Task<(string RunId, bool Started, string Reason)> RetrainAsync(ProjectVersion spec, int productionVersion, RunTrigger trigger,
        string reference, DateTimeOffset decidedAt, IRetrainStarter starter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var project = spec.Project;
        var cooldown = spec.Spec.Retrain.CooldownMinutes;
        var runId = EpisodeRunId(project, trigger, productionVersion, decidedAt, cooldown);
        var runs = await catalog.Runs.ListAsync(project, cancellationToken).ConfigureAwait(false);

        // The episode id covers one cool-down period; a run of the previous period (or of the other monitor) still
        // cooling down covers this check too.
        var cooling = runs.FirstOrDefault(r => r.Trigger is RunTrigger.Drift or RunTrigger.Quality && r.RunId != runId && r.CreatedAt > now.AddMinutes(-cooldown));
        if (cooling is not null)
        {
            return (cooling.RunId, false, string.Create(CultureInfo.InvariantCulture,
                $"Cooling down: {cooling.Trigger} run {cooling.RunId} started {cooling.CreatedAt:O}, less than retrain.cooldownMinutes = {cooldown} ago."));
        }

        var training = await TrainingDatasetsAsync(project, cancellationToken).ConfigureAwait(false);
        var started = await starter.StartAsync(new RetrainRequest(project, runId, training.Versions, trigger, reference), cancellationToken).ConfigureAwait(false);
        return (runId, started, $"Retraining on {training.Versions.Count} dataset version(s).{training.Note}");
    }

    /// <summary>After a drifted report whose retraining did not start (the check stopped between the two), starts it with the same id.</summary>
    private async Task<(string RunId, bool Started)?> RecoverDriftRunAsync(ProjectVersion spec, ModelVersion production, DriftReportSummary? last,
        IRetrainStarter starter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cooldown = spec.Spec.Retrain.CooldownMinutes;
        if (last is not { Drifted: true } || last.WindowEnd <= now.AddMinutes(-Math.Max(1, cooldown)))
        {
            return null;
        }

        var runId = EpisodeRunId(spec.Project, RunTrigger.Drift, production.Version, last.WindowEnd, cooldown);
        if (await catalog.Runs.FindAsync(runId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        var decision = await RetrainAsync(spec, production.Version, RunTrigger.Drift, last.ReportId, last.WindowEnd, starter, now, cancellationToken).ConfigureAwait(false);
        return decision.Started ? (decision.RunId, true) : null;
    }

    private async Task<(IReadOnlyList<string> Versions, string Note)> TrainingDatasetsAsync(string project, CancellationToken cancellationToken)
    {
        var selection = await catalog.Datasets.SelectTrainingSetAsync(project, cancellationToken).ConfigureAwait(false);
        return (selection.Versions, selection.LeftOut == 0 ? "" : $" {selection.LeftOut} older version(s) with other columns left out.");
    }

    private async Task<ModelVersion?> ProductionAsync(string model, CancellationToken cancellationToken) =>
        await catalog.Models.FindAliasAsync(model, ModelRegistry.ProductionAlias, cancellationToken).ConfigureAwait(false) is { } alias
            ? await catalog.Models.GetVersionAsync(model, alias.Version, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Whole seconds, <see cref="MonitoringOptions.Settle"/> before now: the same end for a check repeated within the second.</summary>
    private DateTimeOffset WindowEnd(DateTimeOffset now)
    {
        var end = now - options.Settle;
        return new DateTimeOffset(end.UtcTicks - (end.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private async Task<CheckOutcome> NoteAsync(CheckOutcome outcome, CancellationToken cancellationToken)
    {
        await store.SaveNoteAsync(outcome, cancellationToken).ConfigureAwait(false);
        return outcome;
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

    private static string ToCamel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "[{Check}] {Project}: {Outcome} ({Summary})")]
    private static partial void LogOutcome(ILogger logger, string check, string project, string outcome, string summary);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Monitoring check of project {Project} failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string project);
}
