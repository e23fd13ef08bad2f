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
/// The drift check: the production version's logged inputs since its last drift window against its training profile;
/// the report is stored, and a drift verdict retrains through <see cref="RetrainPolicy"/>.
/// </summary>
internal sealed class DriftCheck(MonitoringContext context, RetrainPolicy policy)
{
    /// <summary>
    /// Compares the production version's logged inputs since its last drift window with its training profile, stores the
    /// report, and on drift starts a retraining (unless cooling down).
    /// </summary>
    public async Task<CheckOutcome> CheckAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var spec = await context.Catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        var model = spec.ModelName;
        if (await context.ProductionAsync(model, cancellationToken).ConfigureAwait(false) is not { } production)
        {
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, "skipped", "The model has no production version yet."), cancellationToken).ConfigureAwait(false);
        }

        DatasetProfile profile;
        try
        {
            var bytes = await context.Catalog.Models.ReadArtifactAsync(model, production.Version, RegisterStage.ProfileArtifact, cancellationToken).ConfigureAwait(false);
            profile = bytes.ToObjectFromJson<DatasetProfile>(CatalogJson.Options)!;
        }
        catch (MlopsException e) when (e.Code == ErrorCode.NotFound)
        {
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                $"Version {production.Version} has no '{RegisterStage.ProfileArtifact}' (registered outside the pipeline): nothing to compare with."), cancellationToken).ConfigureAwait(false);
        }

        var inputs = production.Card.Signature.Inputs.Select(i => i.Name).ToList();
        var features = inputs.Where(f => profile.Find(f) is { Numeric: not null } or { Categorical: not null }).ToList();
        var notChecked = inputs.Except(features, StringComparer.Ordinal).ToList();
        if (features.Count == 0)
        {
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                $"None of the inputs of version {production.Version} has a numeric or categorical training profile."), cancellationToken).ConfigureAwait(false);
        }

        var reports = await context.Catalog.DriftReports.ListAsync(model, MonitoringContext.ReportsScanned, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var previous = reports.Where(r => r.ModelVersion == production.Version).MaxBy(r => r.WindowEnd);
        var start = previous?.WindowEnd ?? production.CreatedAt;
        var end = context.WindowEnd(now);
        if (end <= start)
        {
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, "skipped", $"The window since {start:O} has not settled yet."), cancellationToken).ConfigureAwait(false);
        }

        // Streamed: the window keeps bounded counts per feature, never the rows.
        var window = DriftDetector.Create(profile, features, spec.Spec.Retrain.DriftThreshold);
        long rows = 0;
        await foreach (var record in context.Catalog.Predictions.ReadAsync(model, start, end, cancellationToken).ConfigureAwait(false))
        {
            if (record.Version == production.Version)
            {
                window.Add(record.Inputs);
                rows++;
            }
        }

        if (rows < context.Options.DriftMinRows)
        {
            // Nothing is stored, so the next check's window starts at the same place and has more rows.
            var recovered = await RecoverDriftRunAsync(spec, production, previous, starter, now, cancellationToken).ConfigureAwait(false);
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, "skipped",
                string.Create(CultureInfo.InvariantCulture, $"Only {rows} rows of version {production.Version} logged in [{start:O}, {end:O}); a drift window needs {context.Options.DriftMinRows} (MLOPS_DRIFT_MIN_ROWS). The window grows until then.")
                + (recovered is null ? "" : $" Retraining for the drifted report {previous!.ReportId}: run {recovered.Value.RunId}."),
                RunId: recovered?.RunId, RunStarted: recovered?.Started ?? false), cancellationToken).ConfigureAwait(false);
        }

        var report = window.Evaluate(model, production.Version, start, end);
        var reportId = string.Create(CultureInfo.InvariantCulture, $"{model}-v{production.Version}-{end.UtcTicks}");
        await context.Catalog.DriftReports.SaveAsync(new DriftReportSummary
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
            return await context.NoteAsync(new CheckOutcome(project, "drift", now, MonitoringContext.ToCamel(report.Verdict.ToString()), headline, reportId), cancellationToken).ConfigureAwait(false);
        }

        var decision = await policy.RetrainAsync(spec, production.Version, RunTrigger.Drift, reportId, end, starter, now, cancellationToken).ConfigureAwait(false);
        return await context.NoteAsync(new CheckOutcome(project, "drift", now, "drift", headline + " " + decision.Reason, reportId, decision.RunId, decision.Started), cancellationToken).ConfigureAwait(false);
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

        var runId = RetrainPolicy.EpisodeRunId(spec.Project, RunTrigger.Drift, production.Version, last.WindowEnd, cooldown);
        if (await context.Catalog.Runs.FindAsync(runId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        var decision = await policy.RetrainAsync(spec, production.Version, RunTrigger.Drift, last.ReportId, last.WindowEnd, starter, now, cancellationToken).ConfigureAwait(false);
        return decision.Started ? (decision.RunId, true) : null;
    }
}
