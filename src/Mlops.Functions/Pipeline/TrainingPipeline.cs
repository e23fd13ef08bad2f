using Mlops.Catalog.Runs;
using Mlops.Durable;
using Mlops.Functions.Hosting;
using Mlops.Pipeline;

namespace Mlops.Functions.Pipeline;

/// <summary>
/// The training pipeline (DESIGN.md §1 item 2): one activity per stage, candidates fanned out, a promotion gate
/// that re-scores the champion on the challenger's holdout, then deploy. Deterministic orchestrator code: it only
/// calls activities, reads <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/> and sets its custom status.
/// </summary>
[Function(Name)]
[OrchestrationTrigger]
public sealed class TrainingPipeline : IOrchestratorFunction<PipelineInput, PipelineResult>
{
    /// <summary>The orchestrator's function name.</summary>
    public const string Name = PipelineRuns.OrchestratorName;

    // Activities are idempotent (keyed by run id and stage), so retrying a transient failure is always safe.
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <inheritdoc />
    public async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, PipelineInput input)
    {
        var run = new StageInput(input.Project, input.RunId, input.DatasetVersions, input.SpecVersion);
        var modelName = Stages.ModelNameFor(input.Project);
        var steps = Stages.All.Count;
        void Progress(string stage, string detail) =>
            context.SetCustomStatus(new PipelineProgress(stage, Stages.All.ToList().IndexOf(stage) + 1, steps, detail));

        try
        {
            Progress("validate", $"checking {input.DatasetVersions.Count} dataset version(s) against spec v{input.SpecVersion}");
            var data = await context.CallActivityAsync<ValidatedData>(ValidateStage.Name, run, Retry);

            Progress("profile", $"{data.Rows} rows");
            await context.CallActivityAsync<ProfiledData>(ProfileStage.Name, run, Retry);

            Progress("split", "holdout split and candidate grid");
            var split = await context.CallActivityAsync<SplitData>(SplitStage.Name, run, Retry);

            Progress("train", $"{split.CandidateIds.Count} candidates on {split.TrainRows} rows");
            var candidates = await Task.WhenAll(split.CandidateIds.Select(id =>
                context.CallActivityAsync<CandidateOutcome>(TrainCandidateStage.Name, new CandidateInput(run, id), Retry)));

            Progress("evaluate", $"{candidates.Length} candidates on {split.HoldoutRows} holdout rows");
            var evaluation = await context.CallActivityAsync<Evaluation>(EvaluateStage.Name, new EvaluateInput(run, candidates), Retry);

            Progress("export", $"{evaluation.BestCandidateId} to ONNX with parity check");
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
            var message = ex.Message;
            await context.CallActivityAsync<bool>(CompleteStage.Name, new CompleteInput(run, "failed", message, null, null, null), Retry);
            context.SetCustomStatus(new PipelineProgress("failed", 0, steps, message));
            throw;
        }
    }
}
