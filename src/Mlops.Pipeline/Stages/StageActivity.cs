using Mlops.Catalog;
using Mlops.Catalog.Runs;

namespace Mlops.Pipeline;

/// <summary>One stage of the training pipeline: what an activity function calls (the function itself is only the binding).</summary>
/// <typeparam name="TInput">The activity input.</typeparam>
/// <typeparam name="TOutput">The activity output.</typeparam>
public interface IPipelineStage<in TInput, TOutput>
{
    /// <summary>Runs the stage. Idempotent: stages run at least once, so a repeat must find and return its earlier output.</summary>
    Task<TOutput> RunAsync(TInput input, CancellationToken cancellationToken);
}

/// <summary>
/// Base of the pipeline's stage activities: records the stage's timing and outcome on the run (keyed by run id and
/// stage, so a retry overwrites its own row instead of adding one) around the stage's work.
/// </summary>
public abstract class StageActivity<TInput, TOutput>(CatalogServices catalog, TimeProvider time) : IPipelineStage<TInput, TOutput>
{
    /// <summary>The catalog.</summary>
    protected CatalogServices Catalog { get; } = catalog;

    /// <summary>The stage name recorded in the run's timings.</summary>
    protected abstract string StageName(TInput input);

    /// <summary>The run the input belongs to.</summary>
    protected abstract StageInput RunOf(TInput input);

    /// <summary>The stage's work.</summary>
    protected abstract Task<TOutput> ExecuteAsync(TInput input, CancellationToken cancellationToken);

    /// <summary>A one-line summary of the result for the run's timings.</summary>
    protected virtual string? Describe(TOutput output) => null;

    /// <inheritdoc />
    public async Task<TOutput> RunAsync(TInput input, CancellationToken cancellationToken)
    {
        var run = RunOf(input);
        var stage = StageName(input);
        var started = time.GetUtcNow();
        await Catalog.Runs.LogStageAsync(run.RunId, new StageTiming(stage, started, null, RunStatus.Running), cancellationToken).ConfigureAwait(false);
        try
        {
            var output = await ExecuteAsync(input, cancellationToken).ConfigureAwait(false);
            await Catalog.Runs.LogStageAsync(run.RunId, new StageTiming(stage, started, time.GetUtcNow(), RunStatus.Succeeded, Detail: Describe(output)),
                cancellationToken).ConfigureAwait(false);
            return output;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Catalog.Runs.LogStageAsync(run.RunId, new StageTiming(stage, started, time.GetUtcNow(), RunStatus.Failed, ex.Message),
                CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The project spec version the run uses.</summary>
    protected async Task<Core.Projects.ProjectSpec> SpecOfAsync(StageInput run, CancellationToken ct) =>
        (await Catalog.Projects.GetAsync(run.Project, run.SpecVersion, ct).ConfigureAwait(false)).Spec;
}
