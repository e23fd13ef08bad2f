using System.Text.Json.Serialization;

namespace Mlops.Catalog.Runs;

/// <summary>Where a run is in its life. Moves only forward: queued → running → succeeded | failed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>Recorded, not started.</summary>
    [JsonStringEnumMemberName("queued")] Queued,
    /// <summary>The pipeline is working on it.</summary>
    [JsonStringEnumMemberName("running")] Running,
    /// <summary>Finished (whether or not its model was promoted).</summary>
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    /// <summary>Stopped by an error.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>What started a run.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunTrigger>))]
public enum RunTrigger
{
    /// <summary>A new dataset version was uploaded.</summary>
    [JsonStringEnumMemberName("upload")] Upload,
    /// <summary>Someone asked for it (<c>POST /api/projects/{project}/runs</c>).</summary>
    [JsonStringEnumMemberName("manual")] Manual,
    /// <summary>The drift monitor (the trigger reference is the drift report id).</summary>
    [JsonStringEnumMemberName("drift")] Drift,
    /// <summary>The retraining schedule.</summary>
    [JsonStringEnumMemberName("schedule")] Schedule,

    /// <summary>Live quality (feedback joined to predictions) dropped past the threshold.</summary>
    [JsonStringEnumMemberName("quality")] Quality,
}

/// <summary>Where a run's model comes from: data, spec, code and pipeline.</summary>
public sealed record RunLineage
{
    /// <summary>The dataset version's SHA-256.</summary>
    public required string DatasetSha256 { get; init; }

    /// <summary>The dataset version number, when known.</summary>
    public int? DatasetVersion { get; init; }

    /// <summary>The project spec version the run used.</summary>
    public required int SpecVersion { get; init; }

    /// <summary>The code version (git commit baked in at build).</summary>
    public string? CodeVersion { get; init; }

    /// <summary>Versions of the packages that shape the model (Microsoft.ML, OnnxRuntime, ...).</summary>
    public IReadOnlyDictionary<string, string> PackageVersions { get; init; } = new Dictionary<string, string>();

    /// <summary>The pipeline's name or spec id.</summary>
    public string? Pipeline { get; init; }

    /// <summary>The orchestration instance id running it.</summary>
    public string? InstanceId { get; init; }

    /// <summary>What started it.</summary>
    public RunTrigger Trigger { get; init; } = RunTrigger.Manual;

    /// <summary>A reference for the trigger: the incoming blob name, the drift report id, the schedule occurrence.</summary>
    public string? TriggerReference { get; init; }
}

/// <summary>A run to record.</summary>
/// <param name="RunId">Caller-chosen id (often the orchestration instance id); see <see cref="RunTracker.NewRunId"/>.</param>
/// <param name="Project">The project.</param>
/// <param name="Lineage">Its lineage.</param>
public sealed record NewRun(string RunId, string Project, RunLineage Lineage);

/// <summary>Timing and outcome of one pipeline stage of a run.</summary>
/// <param name="Name">The stage, e.g. <c>validate</c>, <c>train</c>, <c>export</c>.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended; null while running.</param>
/// <param name="Status">running, succeeded or failed.</param>
/// <param name="Error">The error, when it failed.</param>
/// <param name="Detail">Free-form progress (e.g. "3/12 candidates").</param>
public sealed record StageTiming(string Name, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, RunStatus Status, string? Error = null, string? Detail = null)
{
    /// <summary>End minus start, when ended.</summary>
    public TimeSpan? Duration => EndedAt - StartedAt;
}

/// <summary>One trained candidate of a run.</summary>
/// <param name="CandidateId">Unique within the run, e.g. <c>lightgbm-03</c>.</param>
/// <param name="Trainer">The trainer family.</param>
/// <param name="Params">Its hyper-parameters.</param>
/// <param name="Metrics">Its evaluation metrics.</param>
/// <param name="TrainingSeconds">How long training took.</param>
public sealed record CandidateResult(string CandidateId, string Trainer, IReadOnlyDictionary<string, string> Params, IReadOnlyDictionary<string, double> Metrics, double TrainingSeconds);

/// <summary>Everything recorded about a run (<c>GET /api/runs/{runId}</c>).</summary>
public sealed record RunRecord
{
    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>Where it is.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }

    /// <summary>When it was recorded.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it started running.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Its lineage.</summary>
    public required RunLineage Lineage { get; init; }

    /// <summary>Parameters, merged over every step that logged some.</summary>
    public required IReadOnlyDictionary<string, string> Params { get; init; }

    /// <summary>Metric sets by key, e.g. <c>best</c>, <c>holdout</c>, <c>champion</c>.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics { get; init; }

    /// <summary>Candidates, in id order.</summary>
    public required IReadOnlyList<CandidateResult> Candidates { get; init; }

    /// <summary>The winning candidate, when chosen.</summary>
    public string? BestCandidateId { get; init; }

    /// <summary>Stages, in start order.</summary>
    public required IReadOnlyList<StageTiming> Stages { get; init; }

    /// <summary>The model version the run registered, when it did.</summary>
    public RunModelLink? Model { get; init; }
}

/// <summary>The model version a run registered.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Version number.</param>
/// <param name="Promoted">True when the run moved the production alias to it.</param>
public sealed record RunModelLink(string Name, int Version, bool Promoted);

/// <summary>A run in a project's list.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="Project">The project.</param>
/// <param name="CreatedAt">When it was recorded.</param>
/// <param name="Trigger">What started it.</param>
/// <param name="DatasetSha256">Its dataset.</param>
public sealed record RunSummary(string RunId, string Project, DateTimeOffset CreatedAt, RunTrigger Trigger, string DatasetSha256);
