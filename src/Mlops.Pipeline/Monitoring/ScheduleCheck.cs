using System.Globalization;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Projects;
using NCrontab;

namespace Mlops.Pipeline.Monitoring;

/// <summary>Scheduled retraining: an occurrence of <c>retrain.schedule</c> passed and enough new rows arrived.</summary>
internal sealed class ScheduleCheck(MonitoringContext context, RetrainPolicy policy)
{
    /// <summary>
    /// Starts a scheduled retraining when an occurrence of <c>retrain.schedule</c> passed since the last scheduled run and at
    /// least <c>retrain.minNewRows</c> rows arrived in dataset versions newer than the last run's; otherwise says why not.
    /// </summary>
    public async Task<CheckOutcome> CheckAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var spec = await context.Catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (spec.Spec.Retrain.Schedule is not { Length: > 0 } expression)
        {
            return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", "The spec has no retrain.schedule."), cancellationToken).ConfigureAwait(false);
        }

        CrontabSchedule schedule;
        try
        {
            schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        }
        catch (CrontabException e)
        {
            return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", $"retrain.schedule is not a six-field NCRONTAB expression: {e.Message}"), cancellationToken).ConfigureAwait(false);
        }

        var runs = await context.Catalog.Runs.ListAsync(project, cancellationToken).ConfigureAwait(false);
        if (runs.Count == 0)
        {
            return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", "The project has no run yet: the first training starts with an upload."), cancellationToken).ConfigureAwait(false);
        }

        // Occurrences are counted from the last scheduled run's own occurrence (its trigger reference), else from the
        // latest run of any kind: a fresh model is not retrained by the first schedule tick after it.
        var since = runs[0].CreatedAt;
        if (runs.FirstOrDefault(r => r.Trigger == RunTrigger.Schedule) is { } lastScheduled)
        {
            var record = await context.Catalog.Runs.FindAsync(lastScheduled.RunId, cancellationToken).ConfigureAwait(false);
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
            return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "skipped",
                $"No occurrence of '{expression}' since {since:O}; next at {schedule.GetNextOccurrence(now.UtcDateTime):O}."), cancellationToken).ConfigureAwait(false);
        }

        var slot = new DateTimeOffset(DateTime.SpecifyKind(latest.Value, DateTimeKind.Utc));
        var datasets = await context.Catalog.Datasets.ListAsync(project, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var lastDataset = datasets.FirstOrDefault(d => d.Sha256 == runs[0].DatasetSha256);
        var newer = datasets.Where(d => lastDataset is null || d.Version > lastDataset.Version).ToList();
        var newRows = newer.Sum(d => d.RowCount);
        if (newRows < spec.Spec.Retrain.MinNewRows)
        {
            return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "skipped", string.Create(CultureInfo.InvariantCulture,
                $"Occurrence {slot:O} is due, but only {newRows} new rows arrived in {newer.Count} dataset version(s) since the last run's dataset (v{lastDataset?.Version}); retrain.minNewRows is {spec.Spec.Retrain.MinNewRows}.")),
                cancellationToken).ConfigureAwait(false);
        }

        var runId = ScheduleRunId(project, slot);
        var training = await policy.TrainingDatasetsAsync(project, cancellationToken).ConfigureAwait(false);
        var started = await starter.StartAsync(new RetrainRequest(project, runId, training.Versions, RunTrigger.Schedule,
            slot.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false);
        return await context.NoteAsync(new CheckOutcome(project, "schedule", now, "due", string.Create(CultureInfo.InvariantCulture,
            $"Occurrence {slot:O} of '{expression}' with {newRows} new rows (≥ {spec.Spec.Retrain.MinNewRows}): retraining on {training.Versions.Count} dataset version(s).{training.Note}"),
            RunId: runId, RunStarted: started), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run id of a schedule occurrence.</summary>
    public static string ScheduleRunId(string project, DateTimeOffset occurrence) =>
        $"{project}-schedule-{occurrence.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";
}
