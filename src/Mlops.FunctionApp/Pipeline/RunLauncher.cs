using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Mlops.Catalog.Runs;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Pipeline;

/// <summary>A started (or already existing) training run.</summary>
/// <param name="RunId">The run id, which is also the orchestration instance id.</param>
/// <param name="Started">False when a run with this id already existed (the call was a repeat).</param>
public sealed record LaunchedRun(string RunId, bool Started);

/// <summary>
/// Starts <see cref="TrainingPipeline"/> runs with a <see cref="DurableTaskClient"/>. The instance id is the run id, derived
/// from what triggered the run (dataset sha, drift episode, schedule slot): an instance that exists is never started
/// again, and a concurrent start of the same id (blob and HTTP upload at once) joins the run that won.
/// </summary>
public sealed class RunLauncher(PipelineRuns runs)
{
    /// <summary>Starts run <paramref name="runId"/> of <paramref name="project"/> unless it exists; the run record is written first.</summary>
    public async Task<LaunchedRun> LaunchAsync(DurableTaskClient client, string project, string runId, IReadOnlyList<string>? datasetVersions,
        RunTrigger trigger, string? triggerReference, CancellationToken cancellationToken)
    {
        var input = await runs.PlanAsync(project, runId, datasetVersions, trigger, triggerReference, cancellationToken).ConfigureAwait(false);
        // Checked first because the Azure Storage backend would replace a finished instance with the same id.
        if (await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new LaunchedRun(runId, Started: false);
        }

        await runs.RecordAsync(input, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(PipelineRuns.OrchestratorName, input, new StartOrchestrationOptions(runId), cancellationToken)
                .ConfigureAwait(false);
            return new LaunchedRun(runId, Started: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The backend refuses a second pending/running instance with this id: if it exists now, someone else started
            // the same run an instant earlier; that is the run this caller asked for.
            if (await client.GetInstanceAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is null)
            {
                throw;
            }

            return new LaunchedRun(runId, Started: false);
        }
    }
}
