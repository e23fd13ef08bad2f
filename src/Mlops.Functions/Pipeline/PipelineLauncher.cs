using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Durable.Client;
using Mlops.Functions.Hosting;

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
public sealed class PipelineLauncher(CatalogServices catalog, HttpClient http)
{
    /// <summary>The run id of the pipeline an accepted upload starts: one per project and dataset version.</summary>
    public static string UploadRunId(string project, string sha256) => $"{project}-upload-{sha256[..16]}";

    /// <summary>Starts <see cref="TrainingPipeline"/> for <paramref name="project"/> unless <paramref name="runId"/> exists.</summary>
    public async Task<LaunchedRun> LaunchAsync(FunctionContext context, Uri requestBase, string project, string runId,
        IReadOnlyList<string>? datasetVersions, RunTrigger trigger, string? triggerReference, CancellationToken cancellationToken)
    {
        var client = ClientFor(context, requestBase);
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> datasets = datasetVersions is { Count: > 0 }
            ? datasetVersions
            : [(await catalog.Datasets.FindLatestAsync(project, cancellationToken).ConfigureAwait(false)
                ?? throw Core.Errors.MlopsException.NotFound($"Project '{project}' has no accepted dataset yet: upload one first.")).Sha256];

        var existing = await client.GetStatusAsync(runId, showInput: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        var started = false;
        if (existing is null)
        {
            // Record the run before the orchestration exists, so GET /api/runs/{id} answers from the first moment.
            await catalog.Runs.StartAsync(new NewRun(runId, project, new RunLineage
            {
                DatasetSha256 = datasets[^1],
                SpecVersion = spec.Version,
                CodeVersion = BuildInfo.CodeVersion,
                PackageVersions = BuildInfo.PackageVersions,
                Pipeline = TrainingPipeline.Name,
                InstanceId = runId,
                Trigger = trigger,
                TriggerReference = triggerReference,
            }), cancellationToken).ConfigureAwait(false);
            try
            {
                await client.StartNewAsync(TrainingPipeline.Name, runId,
                    new PipelineInput(project, runId, datasets, spec.Version, trigger, triggerReference), cancellationToken).ConfigureAwait(false);
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
