using Microsoft.Azure.Functions.Worker;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Pipeline;

/// <summary>The pipeline's activities: each is the binding of one stage in <c>Mlops.Pipeline</c>, where the work and its idempotency live.</summary>
public sealed class StageActivities(
    ValidateStage validate, ProfileStage profile, SplitStage split, TrainCandidateStage train, EvaluateStage evaluate,
    ExportStage export, RegisterStage register, GateStage gate, DeployStage deploy, CompleteStage complete)
{
    /// <summary>Stage 1: assemble and validate the training set.</summary>
    [Function(ValidateStage.Name)]
    public Task<ValidatedData> ValidateData([ActivityTrigger] StageInput input, FunctionContext context) => validate.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 2: profile the training set (the drift reference).</summary>
    [Function(ProfileStage.Name)]
    public Task<ProfiledData> ProfileData([ActivityTrigger] StageInput input, FunctionContext context) => profile.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 3: holdout split and the search's candidates.</summary>
    [Function(SplitStage.Name)]
    public Task<SplitData> SplitData([ActivityTrigger] StageInput input, FunctionContext context) => split.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 4 (fanned out): cross-validate one candidate.</summary>
    [Function(TrainCandidateStage.Name)]
    public Task<CandidateOutcome> TrainCandidate([ActivityTrigger] CandidateInput input, FunctionContext context) => train.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 5: rank the candidates.</summary>
    [Function(EvaluateStage.Name)]
    public Task<Evaluation> EvaluateCandidates([ActivityTrigger] EvaluateInput input, FunctionContext context) => evaluate.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 6: refit the winner, ONNX export with parity check.</summary>
    [Function(ExportStage.Name)]
    public Task<ExportResult> ExportOnnx([ActivityTrigger] ExportInput input, FunctionContext context) => export.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 7: register the model version.</summary>
    [Function(RegisterStage.Name)]
    public Task<Registration> RegisterModel([ActivityTrigger] RegisterInput input, FunctionContext context) => register.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 8: the promotion gate.</summary>
    [Function(GateStage.Name)]
    public Task<GateDecision> PromotionGate([ActivityTrigger] GateInput input, FunctionContext context) => gate.RunAsync(input, context.CancellationToken);

    /// <summary>Stage 9: move the production alias.</summary>
    [Function(DeployStage.Name)]
    public Task<Deployment> DeployModel([ActivityTrigger] DeployInput input, FunctionContext context) => deploy.RunAsync(input, context.CancellationToken);

    /// <summary>Last step: record the run's outcome.</summary>
    [Function(CompleteStage.Name)]
    public Task<bool> CompleteRun([ActivityTrigger] CompleteInput input, FunctionContext context) => complete.RunAsync(input, context.CancellationToken);
}
