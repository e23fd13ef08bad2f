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

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// The monitoring loop (DESIGN.md §6): drift of logged inputs against the production version's training profile,
/// live quality from feedback joined to logged predictions, and scheduled retraining. Every decision is stored and
/// explained; every run it starts has a deterministic id, so a retried or repeated check starts nothing twice.
/// </summary>
public sealed partial class MonitoringService
{
    private readonly CatalogServices _catalog;
    private readonly MonitoringStore _store;
    private readonly MonitoringOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MonitoringService> _logger;
    private readonly DriftCheck _drift;
    private readonly QualityCheck _quality;
    private readonly ScheduleCheck _schedule;

    public MonitoringService(CatalogServices catalog, MonitoringStore store, MonitoringOptions options, TimeProvider time, ILogger<MonitoringService> logger)
    {
        _catalog = catalog;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        var context = new MonitoringContext(catalog, store, options, time);
        var policy = new RetrainPolicy(context);
        _drift = new DriftCheck(context, policy);
        _quality = new QualityCheck(context, policy);
        _schedule = new ScheduleCheck(context, policy);
    }

    /// <summary>Runs the drift and live-quality checks of every project; returns one outcome per check and project.</summary>
    /// <exception cref="AggregateException">Some project's check failed (the others still ran; their outcomes are stored).</exception>
    public async Task<IReadOnlyList<CheckOutcome>> CheckAllAsync(IRetrainStarter starter, CancellationToken cancellationToken)
    {
        var outcomes = new List<CheckOutcome>();
        var failures = new List<Exception>();
        await foreach (var project in _catalog.Projects.ListProjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var check in new Func<string, IRetrainStarter, CancellationToken, Task<CheckOutcome>>[] { CheckDriftAsync, CheckQualityAsync })
            {
                try
                {
                    var outcome = await check(project, starter, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(outcome);
                    LogOutcome(_logger, outcome.Check, outcome.Project, outcome.Outcome, outcome.ToString());
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(_logger, e, project);
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
        await foreach (var project in _catalog.Projects.ListProjectsAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var outcome = await CheckScheduleAsync(project, starter, cancellationToken).ConfigureAwait(false);
                outcomes.Add(outcome);
                LogOutcome(_logger, outcome.Check, outcome.Project, outcome.Outcome, outcome.ToString());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(_logger, e, project);
                failures.Add(e);
            }
        }

        return failures.Count == 0 ? outcomes : throw new AggregateException("Some schedule checks failed; see the invocation logs.", failures);
    }

    /// <summary>The drift check of one project (see <see cref="DriftCheck"/>).</summary>
    public Task<CheckOutcome> CheckDriftAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken) =>
        _drift.CheckAsync(project, starter, cancellationToken);

    /// <summary>The live-quality check of one project (see <see cref="QualityCheck"/>).</summary>
    public Task<CheckOutcome> CheckQualityAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken) =>
        _quality.CheckAsync(project, starter, cancellationToken);

    /// <summary>The scheduled-retraining check of one project (see <see cref="ScheduleCheck"/>).</summary>
    public Task<CheckOutcome> CheckScheduleAsync(string project, IRetrainStarter starter, CancellationToken cancellationToken) =>
        _schedule.CheckAsync(project, starter, cancellationToken);

    /// <summary>Feedback for <c>POST /api/models/{name}/feedback</c>: validates every item (errors name <c>[i].field</c>), then stores them.</summary>
    public async Task<FeedbackResponse> AddFeedbackAsync(string model, byte[] body, CancellationToken cancellationToken)
    {
        var items = FeedbackParser.Parse(body, _options.MaxFeedbackItems);
        var found = await _catalog.Models.FindVersionAsync(model, 1, cancellationToken).ConfigureAwait(false)
                    ?? throw MlopsException.NotFound($"Model '{model}' has no versions: feedback refers to its predictions.");
        var now = _time.GetUtcNow();
        var result = await _catalog.Feedback.AddAsync(found.Model, items.Select(i => new FeedbackRecord(i.PredictionId, i.Actual, now)).ToList(), cancellationToken).ConfigureAwait(false);
        return new FeedbackResponse(model, result.Accepted, result.Duplicates.Count, result.Duplicates);
    }

    /// <summary>The monitoring view of a model: latest drift reports with per-feature figures, quality windows, check notes.</summary>
    public async Task<MonitoringResponse> GetAsync(string model, int reports, int windows, CancellationToken cancellationToken)
    {
        var project = await _catalog.Projects.FindAsync(model, cancellationToken: cancellationToken).ConfigureAwait(false);
        var alias = await _catalog.Models.FindAliasAsync(model, ModelRegistry.ProductionAlias, cancellationToken).ConfigureAwait(false);
        if (project is null && alias is null && await _catalog.Models.FindVersionAsync(model, 1, cancellationToken).ConfigureAwait(false) is null)
        {
            throw MlopsException.NotFound($"No project or model '{model}'.");
        }

        var views = new List<DriftReportView>();
        await foreach (var summary in _catalog.DriftReports.ListAsync(model, reports, cancellationToken).ConfigureAwait(false))
        {
            var (_, full) = await _catalog.DriftReports.GetAsync(model, summary.ReportId, cancellationToken).ConfigureAwait(false);
            var report = full.Deserialize<DriftReport>(MonitoringJson.Options)!;
            views.Add(new DriftReportView(summary, report.Verdict, report.ReferenceRows, report.Features));
        }

        var quality = await _store.ListQualityAsync(model, windows, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var notes = await _store.ListNotesAsync(model, cancellationToken).ConfigureAwait(false);
        return new MonitoringResponse(model, alias?.Version, views, quality, notes);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "[{Check}] {Project}: {Outcome} ({Summary})")]
    private static partial void LogOutcome(ILogger logger, string check, string project, string outcome, string summary);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Monitoring check of project {Project} failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string project);
}
