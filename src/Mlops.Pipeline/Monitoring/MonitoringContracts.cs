using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Runs;
using Mlops.Monitoring;

namespace Mlops.Pipeline.Monitoring;

/// <summary>Settings of the monitoring timers (app settings; every one has a default).</summary>
public sealed record MonitoringOptions
{
    /// <summary>
    /// Windows end this long before "now" (<c>MLOPS_MONITORING_SETTLE_SECONDS</c>, default 5): serving writes the
    /// prediction log in batches up to a second late, and a row stamped before a window's end but written after it
    /// was read would be missed by every later window.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fewest logged rows of the production version a drift window needs (<c>MLOPS_DRIFT_MIN_ROWS</c>, default 50); smaller windows wait and grow.</summary>
    public int DriftMinRows { get; init; } = 50;

    /// <summary>Fewest feedback/prediction pairs a live-quality window needs (<c>MLOPS_QUALITY_MIN_PAIRS</c>, default 30).</summary>
    public int QualityMinPairs { get; init; } = 30;

    /// <summary>How far back predictions are searched for feedback to join (<c>MLOPS_QUALITY_LOOKBACK_DAYS</c>, default 7).</summary>
    public TimeSpan QualityLookback { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The app's public base URL, for check-status links of runs a timer starts (<c>MLOPS_PUBLIC_BASE_URL</c>, default <c>http://localhost:7071</c>).</summary>
    public Uri PublicBaseUrl { get; init; } = new("http://localhost:7071");

    /// <summary>Most feedback items in one request.</summary>
    public int MaxFeedbackItems { get; init; } = 10_000;

    /// <summary>Reads the settings from configuration, keeping defaults for absent or unparsable values.</summary>
    public static MonitoringOptions From(IConfiguration configuration)
    {
        var defaults = new MonitoringOptions();
        int? Int(string key) => int.TryParse(configuration[key], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;
        return defaults with
        {
            Settle = Int("MLOPS_MONITORING_SETTLE_SECONDS") is { } s ? TimeSpan.FromSeconds(s) : defaults.Settle,
            DriftMinRows = Int("MLOPS_DRIFT_MIN_ROWS") is { } r and > 0 ? r : defaults.DriftMinRows,
            QualityMinPairs = Int("MLOPS_QUALITY_MIN_PAIRS") is { } p and > 0 ? p : defaults.QualityMinPairs,
            QualityLookback = Int("MLOPS_QUALITY_LOOKBACK_DAYS") is { } d and > 0 ? TimeSpan.FromDays(d) : defaults.QualityLookback,
            PublicBaseUrl = Uri.TryCreate(configuration["MLOPS_PUBLIC_BASE_URL"], UriKind.Absolute, out var url) ? url : defaults.PublicBaseUrl,
        };
    }
}

/// <summary>A retraining the monitor wants started.</summary>
/// <param name="Project">The project.</param>
/// <param name="RunId">Deterministic per episode (drift, quality) or schedule slot: starting it twice starts one run.</param>
/// <param name="DatasetVersions">sha256 of the dataset versions to train on, oldest first.</param>
/// <param name="Trigger">Why.</param>
/// <param name="TriggerReference">The drift report id, quality window id or schedule occurrence.</param>
public sealed record RetrainRequest(string Project, string RunId, IReadOnlyList<string> DatasetVersions, RunTrigger Trigger, string TriggerReference);

/// <summary>Starts retraining runs. The app's implementation starts the training orchestration (each app starts the training orchestration with its own Durable client).</summary>
public interface IRetrainStarter
{
    /// <summary>Starts the run unless a run with its id exists; returns true when this call started it.</summary>
    Task<bool> StartAsync(RetrainRequest request, CancellationToken cancellationToken);
}

/// <summary>What one check decided for one project (also stored as the project's latest note for that check).</summary>
/// <param name="Project">The project (= model name).</param>
/// <param name="Check"><c>drift</c>, <c>quality</c> or <c>schedule</c>.</param>
/// <param name="At">When the check ran.</param>
/// <param name="Outcome"><c>skipped</c>, <c>noDrift</c>, <c>drift</c>, <c>notEnoughData</c>, <c>ok</c>, <c>dropped</c>, <c>due</c>.</param>
/// <param name="Reason">Why, with the figures.</param>
/// <param name="ReportId">The drift report or quality window stored, if any.</param>
/// <param name="RunId">The retraining run asked for, if any.</param>
/// <param name="RunStarted">True when this check started that run (false: it existed already, or none).</param>
public sealed record CheckOutcome(string Project, string Check, DateTimeOffset At, string Outcome, string Reason, string? ReportId = null, string? RunId = null, bool RunStarted = false)
{
    /// <summary>One line for the invocation's logs.</summary>
    public override string ToString() =>
        $"[{Check}] {Project}: {Outcome} — {Reason}{(ReportId is null ? "" : $" (report {ReportId})")}{(RunId is null ? "" : $" → run {RunId}{(RunStarted ? " started" : " already exists")}")}";
}

/// <summary>One stored live-quality window.</summary>
public sealed record QualityWindowRecord
{
    /// <summary>Unique id, deterministic per model version and window end.</summary>
    public required string WindowId { get; init; }

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>The production version whose predictions were scored.</summary>
    public required int ModelVersion { get; init; }

    /// <summary>Feedback reported from (inclusive).</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>Feedback reported until (exclusive).</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>When the window was evaluated.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Feedback rows reported in the window.</summary>
    public required long FeedbackRows { get; init; }

    /// <summary>Feedback rows joined to a logged prediction of this version.</summary>
    public required long JoinedRows { get; init; }

    /// <summary>Feedback rows whose actual value could not be read for this task (e.g. text for a regression).</summary>
    public long InvalidActuals { get; init; }

    /// <summary>The metric compared with the holdout value and the verdict.</summary>
    public required QualityReport Report { get; init; }
}

/// <summary><c>POST /api/models/{name}/feedback</c> body item: the true outcome of one prediction.</summary>
/// <param name="PredictionId">The id the predict route returned.</param>
/// <param name="Actual">The true label (string) or value (number).</param>
public sealed record FeedbackItem(string PredictionId, JsonElement Actual);

/// <summary>The answer to a feedback post.</summary>
/// <param name="Model">The model.</param>
/// <param name="Accepted">New ground-truth rows stored.</param>
/// <param name="Duplicates">Items whose prediction already had feedback (the first truth is kept).</param>
/// <param name="DuplicateIds">Their prediction ids.</param>
public sealed record FeedbackResponse(string Model, int Accepted, int Duplicates, IReadOnlyList<string> DuplicateIds);

/// <summary>A drift report as the monitoring route shows it: the headline and every feature's figures.</summary>
/// <param name="Summary">Window, sample size, verdict, drifted features, blob path.</param>
/// <param name="Verdict">The overall verdict.</param>
/// <param name="ReferenceRows">Rows of the training profile.</param>
/// <param name="Features">Per feature: statistics (PSI, KS D and p-value, chi-square, Wasserstein), sample sizes, verdict and reason.</param>
public sealed record DriftReportView(DriftReportSummary Summary, DriftVerdict Verdict, long ReferenceRows, IReadOnlyList<FeatureDrift> Features);

/// <summary><c>GET /api/models/{name}/monitoring</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="ProductionVersion">The version the production alias points to, if any.</param>
/// <param name="DriftReports">Newest first.</param>
/// <param name="QualityWindows">Newest first.</param>
/// <param name="Checks">The latest outcome of each check (drift, quality, schedule): what happened and why.</param>
public sealed record MonitoringResponse(string Model, int? ProductionVersion, IReadOnlyList<DriftReportView> DriftReports,
    IReadOnlyList<QualityWindowRecord> QualityWindows, IReadOnlyList<CheckOutcome> Checks);
