using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Durable;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Pipeline;

/// <summary>
/// Base of the pipeline's stage activities: records the stage's timing and outcome on the run (keyed by run id and
/// stage, so a retry overwrites its own row instead of adding one) around the stage's work.
/// </summary>
public abstract class StageActivity<TInput, TOutput>(CatalogServices catalog, TimeProvider time) : IActivityFunction<TInput, TOutput>
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
    public async Task<TOutput> RunAsync(TInput input, ActivityContext context)
    {
        var run = RunOf(input);
        var stage = StageName(input);
        var started = time.GetUtcNow();
        await Catalog.Runs.LogStageAsync(run.RunId, new StageTiming(stage, started, null, RunStatus.Running), context.CancellationToken).ConfigureAwait(false);
        try
        {
            var output = await ExecuteAsync(input, context.CancellationToken).ConfigureAwait(false);
            await Catalog.Runs.LogStageAsync(run.RunId, new StageTiming(stage, started, time.GetUtcNow(), RunStatus.Succeeded, Detail: Describe(output)),
                context.CancellationToken).ConfigureAwait(false);
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
