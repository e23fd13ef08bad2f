using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Mlops.Catalog.Runs;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Pipeline;

/// <summary>
/// The training pipeline orchestrator: one activity per stage, candidates fanned out (each cross-validated), a promotion
/// gate that scores champion and challenger on holdout rows neither trained on, then deploy. Deterministic: it only calls
/// activities, sets its custom status and logs through the replay-safe logger. Every stage is idempotent (keyed by run id = instance id), so retries are safe.
/// </summary>
public static partial class TrainingPipeline
{
    // Activities are idempotent (keyed by run id and stage), so retrying a transient failure is always safe.
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>The orchestrator function.</summary>
    [Function(PipelineRuns.OrchestratorName)]
    public static Task<PipelineResult> RunOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context) =>
        RunAsync(context, context.GetInput<PipelineInput>() ?? throw new InvalidOperationException("The training pipeline needs its input."));

    /// <summary>The orchestration itself (also registered directly by the orchestrator tests).</summary>
    public static async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, PipelineInput input)
    {
        var logger = context.CreateReplaySafeLogger(nameof(TrainingPipeline));
        var run = new StageInput(input.Project, input.RunId, input.DatasetVersions, input.SpecVersion);
        var modelName = Stages.ModelNameFor(input.Project);
        var steps = Stages.All.Count;
        void Progress(string stage, string detail)
        {
            var step = Stages.All.ToList().IndexOf(stage) + 1;
            context.SetCustomStatus(new PipelineProgress(stage, step, steps, detail));
            LogStage(logger, input.RunId, stage, step, steps, detail);
        }

        try
        {
            Progress("validate", $"checking {input.DatasetVersions.Count} dataset version(s) against spec v{input.SpecVersion}");
            var data = await context.CallActivityAsync<ValidatedData>(ValidateStage.Name, run, Retry);

            Progress("profile", $"{data.Rows} rows");
            await context.CallActivityAsync<ProfiledData>(ProfileStage.Name, run, Retry);

            Progress("split", "holdout split and search candidates");
            var split = await context.CallActivityAsync<SplitData>(SplitStage.Name, run, Retry);

            Progress("train", $"{split.CandidateIds.Count} candidates, cross-validated on {split.TrainRows} rows");
            var candidates = await Task.WhenAll(split.CandidateIds.Select(id =>
                context.CallActivityAsync<CandidateOutcome>(TrainCandidateStage.Name, new CandidateInput(run, id), Retry)));

            Progress("evaluate", $"{candidates.Length} candidates by cross-validated score");
            var evaluation = await context.CallActivityAsync<Evaluation>(EvaluateStage.Name, new EvaluateInput(run, candidates), Retry);

            Progress("export", $"{evaluation.BestCandidateId} refit on {split.TrainRows} rows, to ONNX with parity check on {split.HoldoutRows} holdout rows");
            await context.CallActivityAsync<ExportResult>(ExportStage.Name, new ExportInput(run, evaluation.BestCandidateId), Retry);

            Progress("register", $"model '{modelName}'");
            var registration = await context.CallActivityAsync<Registration>(RegisterStage.Name, new RegisterInput(run, evaluation.BestCandidateId, modelName), Retry);

            Progress("gate", $"v{registration.Version} against the production champion");
            var gate = await context.CallActivityAsync<GateDecision>(GateStage.Name, new GateInput(run, modelName, registration.Version), Retry);

            Deployment? deployment = null;
            if (gate.Promote)
            {
                Progress("deploy", $"production -> v{registration.Version}");
                deployment = await context.CallActivityAsync<Deployment>(DeployStage.Name,
                    new DeployInput(run, modelName, registration.Version, gate.ChampionVersion, gate.Reason,
                        input.Trigger is RunTrigger.Drift ? input.TriggerReference : null), Retry);
            }

            await context.CallActivityAsync<bool>(CompleteStage.Name, new CompleteInput(run, "succeeded", null, registration, gate, deployment), Retry);
            context.SetCustomStatus(new PipelineProgress("done", steps, steps, gate.Reason));
            var promoted = deployment?.Deployed ?? false;
            return new PipelineResult(input.RunId, "succeeded", modelName, registration.Version, promoted, gate.Metric, gate.Challenger,
                deployment is { Deployed: false } ? deployment.Note! : gate.Reason);
        }
        catch (TaskFailedException ex)
        {
            // Record the failure on the run (idempotently), then fail the orchestration with the stage's error.
            var message = ex.FailureDetails.ErrorMessage;
            LogFailed(logger, input.RunId, message);
            await context.CallActivityAsync<bool>(CompleteStage.Name, new CompleteInput(run, "failed", message, null, null, null), Retry);
            context.SetCustomStatus(new PipelineProgress("failed", 0, steps, message));
            throw;
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Run {RunId}: stage {Stage} ({Step}/{Steps}): {Detail}")]
    private static partial void LogStage(ILogger logger, string runId, string stage, int step, int steps, string detail);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Run {RunId} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string runId, string error);
}
