using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;

namespace Mlops.Pipeline;

/// <summary>
/// Everything about starting a training run that does not depend on the orchestration engine: the run id of an upload,
/// the resolved pipeline input (spec version, dataset versions) and the run record that exists before the orchestration
/// does, so <c>GET /api/runs/{id}</c> answers from the first moment. An app starts the orchestration itself.
/// </summary>
public sealed class PipelineRuns(CatalogServices catalog)
{
    /// <summary>The orchestrator's function name.</summary>
    public const string OrchestratorName = "TrainingPipeline";

    /// <summary>The run id of the pipeline an accepted upload starts: one per project and dataset version.</summary>
    public static string UploadRunId(string project, string sha256) => $"{project}-upload-{sha256[..16]}";

    /// <summary>Resolves the input of run <paramref name="runId"/>: the project's current spec version and its datasets (default: the latest accepted).</summary>
    /// <exception cref="MlopsException">The project does not exist, or has no accepted dataset.</exception>
    public async Task<PipelineInput> PlanAsync(string project, string runId, IReadOnlyList<string>? datasetVersions, RunTrigger trigger,
        string? triggerReference, CancellationToken cancellationToken)
    {
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> datasets = datasetVersions is { Count: > 0 }
            ? datasetVersions
            : [(await catalog.Datasets.FindLatestAsync(project, cancellationToken).ConfigureAwait(false)
                ?? throw MlopsException.NotFound($"Project '{project}' has no accepted dataset yet: upload one first.")).Sha256];
        return new PipelineInput(project, runId, datasets, spec.Version, trigger, triggerReference);
    }

    /// <summary>Records the run with its lineage; call before starting its orchestration.</summary>
    public Task RecordAsync(PipelineInput input, CancellationToken cancellationToken) =>
        catalog.Runs.StartAsync(new NewRun(input.RunId, input.Project, new RunLineage
        {
            DatasetSha256 = input.DatasetVersions[^1],
            SpecVersion = input.SpecVersion,
            CodeVersion = BuildInfo.CodeVersion,
            PackageVersions = BuildInfo.PackageVersions,
            Pipeline = OrchestratorName,
            InstanceId = input.RunId,
            Trigger = input.Trigger,
            TriggerReference = input.TriggerReference,
        }), cancellationToken);
}
