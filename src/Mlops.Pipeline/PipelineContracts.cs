using Mlops.Catalog.Runs;
using Mlops.Core.Projects;

namespace Mlops.Pipeline;

/// <summary>
/// Input of the <c>TrainingPipeline</c> orchestration. The run id is the orchestration instance id, so every
/// activity's writes are keyed by it and a replayed or retried stage changes nothing.
/// </summary>
/// <param name="Project">The project.</param>
/// <param name="RunId">The run id (= instance id).</param>
/// <param name="DatasetVersions">sha256 of the dataset versions to train on, oldest first.</param>
/// <param name="SpecVersion">The project spec version the run uses.</param>
/// <param name="Trigger">Why the run started.</param>
/// <param name="TriggerReference">What exactly triggered it: dataset sha, drift report id, schedule slot.</param>
public sealed record PipelineInput(string Project, string RunId, IReadOnlyList<string> DatasetVersions, int SpecVersion, RunTrigger Trigger, string? TriggerReference);

/// <summary>What every stage activity receives: the run and its fixed inputs.</summary>
public sealed record StageInput(string Project, string RunId, IReadOnlyList<string> DatasetVersions, int SpecVersion);

/// <summary>Result of the validate stage: the assembled training set.</summary>
public sealed record ValidatedData(int Rows, int Columns, IReadOnlyList<string> Warnings);

/// <summary>Result of the profile stage.</summary>
public sealed record ProfiledData(int Rows, string ProfilePath);

/// <summary>Result of the split stage: row counts and the candidates to train.</summary>
public sealed record SplitData(int TrainRows, int HoldoutRows, IReadOnlyList<string> CandidateIds);

/// <summary>Input of one candidate's training.</summary>
public sealed record CandidateInput(StageInput Run, string CandidateId);

/// <summary>One candidate's cross-validated metrics (mean over the folds of the training part).</summary>
public sealed record CandidateOutcome(string CandidateId, string Trainer, IReadOnlyDictionary<string, double> Metrics, double TrainSeconds);

/// <summary>Input of the evaluate stage.</summary>
public sealed record EvaluateInput(StageInput Run, IReadOnlyList<CandidateOutcome> Candidates);

/// <summary>The best candidate by the spec metric.</summary>
public sealed record Evaluation(string BestCandidateId, string Metric, double Value, IReadOnlyList<CandidateOutcome> Ranking);

/// <summary>Input of the export stage.</summary>
public sealed record ExportInput(StageInput Run, string CandidateId);

/// <summary>The exported, parity-checked ONNX model, and which candidate it is (the winner unless its export failed parity).</summary>
public sealed record ExportResult(string ModelPath, int ParityRows, double MaxAbsDifference, int Bytes, string? CandidateId = null);

/// <summary>Which candidate the export stage exported, and the better-ranked ones it skipped (parity failures).</summary>
public sealed record ExportedCandidate(string CandidateId, IReadOnlyList<string> Skipped);

/// <summary>Input of the register stage.</summary>
public sealed record RegisterInput(StageInput Run, string CandidateId, string ModelName);

/// <summary>The registered model version.</summary>
public sealed record Registration(string ModelName, int Version, bool Created);

/// <summary>Input of the promotion gate.</summary>
public sealed record GateInput(StageInput Run, string ModelName, int Version);

/// <summary>The gate's decision: champion and challenger scored on the same holdout.</summary>
public sealed record GateDecision(bool Promote, string Metric, double Challenger, double? Champion, int? ChampionVersion, double MinImprovement, string Reason);

/// <summary>Input of the deploy stage.</summary>
public sealed record DeployInput(StageInput Run, string ModelName, int Version, int? ExpectedChampion, string Reason, string? DriftReportId);

/// <summary>Result of the deploy stage.</summary>
public sealed record Deployment(string ModelName, string Alias, int Version, int? PreviousVersion, bool Deployed, string? Note);

/// <summary>Input of the final stage that records the run's outcome.</summary>
public sealed record CompleteInput(StageInput Run, string Status, string? Error, Registration? Registration, GateDecision? Gate, Deployment? Deployment);

/// <summary>What the orchestration returns (its output in the Durable status API).</summary>
public sealed record PipelineResult(string RunId, string Status, string? ModelName, int? Version, bool Promoted, string? Metric, double? MetricValue, string Reason);

/// <summary>The orchestration's custom status: which stage it is in, for progress output.</summary>
public sealed record PipelineProgress(string Stage, int Step, int Steps, string Detail);

/// <summary>Stage names, in order: the custom status, run timings and the activity names use them.</summary>
public static class Stages
{
    /// <summary>The stages of a training run, in order.</summary>
    public static readonly IReadOnlyList<string> All = ["validate", "profile", "split", "train", "evaluate", "export", "register", "gate", "deploy"];

    /// <summary>The model a project's runs register into: named after the project.</summary>
    public static string ModelNameFor(string project) => ResourceName.Require(project, "project");
}
