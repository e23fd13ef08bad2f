using Mlops.Functions.Hosting;
using Mlops.Pipeline;

namespace Mlops.Functions.Pipeline;

// The custom handler's activity bindings: each one forwards to the stage in Mlops.Pipeline that the isolated app binds too.

/// <summary>Stage 1: assemble and validate the training set.</summary>
[Function(ValidateStage.Name)]
[ActivityTrigger]
public sealed class ValidateActivity(ValidateStage stage) : IActivityFunction<StageInput, ValidatedData>
{
    /// <inheritdoc />
    public Task<ValidatedData> RunAsync(StageInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 2: profile the training set (the drift reference).</summary>
[Function(ProfileStage.Name)]
[ActivityTrigger]
public sealed class ProfileActivity(ProfileStage stage) : IActivityFunction<StageInput, ProfiledData>
{
    /// <inheritdoc />
    public Task<ProfiledData> RunAsync(StageInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 3: holdout split and candidate grid.</summary>
[Function(SplitStage.Name)]
[ActivityTrigger]
public sealed class SplitActivity(SplitStage stage) : IActivityFunction<StageInput, SplitData>
{
    /// <inheritdoc />
    public Task<SplitData> RunAsync(StageInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 4 (fanned out): train one candidate.</summary>
[Function(TrainCandidateStage.Name)]
[ActivityTrigger]
public sealed class TrainCandidateActivity(TrainCandidateStage stage) : IActivityFunction<CandidateInput, CandidateOutcome>
{
    /// <inheritdoc />
    public Task<CandidateOutcome> RunAsync(CandidateInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 5: rank the candidates.</summary>
[Function(EvaluateStage.Name)]
[ActivityTrigger]
public sealed class EvaluateActivity(EvaluateStage stage) : IActivityFunction<EvaluateInput, Evaluation>
{
    /// <inheritdoc />
    public Task<Evaluation> RunAsync(EvaluateInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 6: ONNX export with parity check.</summary>
[Function(ExportStage.Name)]
[ActivityTrigger]
public sealed class ExportActivity(ExportStage stage) : IActivityFunction<ExportInput, ExportResult>
{
    /// <inheritdoc />
    public Task<ExportResult> RunAsync(ExportInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 7: register the model version.</summary>
[Function(RegisterStage.Name)]
[ActivityTrigger]
public sealed class RegisterActivity(RegisterStage stage) : IActivityFunction<RegisterInput, Registration>
{
    /// <inheritdoc />
    public Task<Registration> RunAsync(RegisterInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 8: the promotion gate.</summary>
[Function(GateStage.Name)]
[ActivityTrigger]
public sealed class GateActivity(GateStage stage) : IActivityFunction<GateInput, GateDecision>
{
    /// <inheritdoc />
    public Task<GateDecision> RunAsync(GateInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Stage 9: move the production alias.</summary>
[Function(DeployStage.Name)]
[ActivityTrigger]
public sealed class DeployActivity(DeployStage stage) : IActivityFunction<DeployInput, Deployment>
{
    /// <inheritdoc />
    public Task<Deployment> RunAsync(DeployInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}

/// <summary>Last step: record the run's outcome.</summary>
[Function(CompleteStage.Name)]
[ActivityTrigger]
public sealed class CompleteActivity(CompleteStage stage) : IActivityFunction<CompleteInput, bool>
{
    /// <inheritdoc />
    public Task<bool> RunAsync(CompleteInput input, Durable.ActivityContext context) => stage.RunAsync(input, context.CancellationToken);
}
