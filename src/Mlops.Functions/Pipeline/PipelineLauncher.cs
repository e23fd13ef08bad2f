using Mlops.Catalog.Runs;
using Mlops.Durable.Client;
using Mlops.Functions.Hosting;
using Mlops.Pipeline;

namespace Mlops.Functions.Pipeline;

/// <summary>A started (or already existing) training run.</summary>
/// <param name="RunId">The run id, which is also the orchestration instance id.</param>
/// <param name="Started">False when a run with this id already existed (the call was a repeat).</param>
/// <param name="CheckStatus">The Durable check-status URLs of the run's orchestration (spec §6.2).</param>
public sealed record LaunchedRun(string RunId, bool Started, CheckStatusPayload CheckStatus);

/// <summary>
/// Starts training pipelines through the Durable client binding. Starting is idempotent per run id: the id is
/// derived from what triggered the run (dataset sha, drift episode, schedule slot), and an instance that already
/// exists is never started twice, so a retried trigger cannot start a second run.
/// </summary>
public sealed class PipelineLauncher(PipelineRuns runs, HttpClient http)
{
    /// <summary>Starts <see cref="TrainingPipeline"/> for <paramref name="project"/> unless <paramref name="runId"/> exists.</summary>
    public async Task<LaunchedRun> LaunchAsync(FunctionContext context, Uri requestBase, string project, string runId,
        IReadOnlyList<string>? datasetVersions, RunTrigger trigger, string? triggerReference, CancellationToken cancellationToken)
    {
        var client = ClientFor(context, requestBase);
        var input = await runs.PlanAsync(project, runId, datasetVersions, trigger, triggerReference, cancellationToken).ConfigureAwait(false);
        var existing = await client.GetStatusAsync(runId, showInput: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var started = false;
        if (existing is null)
        {
            await runs.RecordAsync(input, cancellationToken).ConfigureAwait(false);
            try
            {
                await client.StartNewAsync(TrainingPipeline.Name, runId, input, cancellationToken).ConfigureAwait(false);
                started = true;
            }
            catch (DurableClientException)
            {
                // A concurrent trigger for the same data (blob and HTTP at once) may have started it first: same run,
                // not an error. Anything else is rethrown.
                if (await client.GetStatusAsync(runId, showInput: false, cancellationToken: cancellationToken).ConfigureAwait(false) is null)
                {
                    throw;
                }
            }
        }

        return new LaunchedRun(runId, started, client.CreateCheckStatusPayload(requestBase, runId));
    }

    /// <summary>The Durable client of this invocation (from its <c>durableClient</c> binding).</summary>
    public DurableClient ClientFor(FunctionContext context, Uri requestBase)
    {
        var payload = context.DurableClientPayload
                      ?? throw new InvalidOperationException($"Function '{context.FunctionName}' must declare [DurableClient] to start runs.");
        return DurableClient.FromBindingPayload(payload, http, requestBase);
    }
}
