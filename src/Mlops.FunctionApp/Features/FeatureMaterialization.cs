using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Mlops.Features;
using Mlops.Features.Materialization;

namespace Mlops.FunctionApp.Features;

/// <summary>Input of the per-partition activity.</summary>
public sealed record StagePartitionInput(MaterializationPlan Plan, int Partition);

/// <summary>Input of the per-bucket activity.</summary>
public sealed record ComputeBucketInput(MaterializationPlan Plan, int Bucket);

/// <summary>Input of the commit activity.</summary>
public sealed record CommitMaterializationInput(MaterializationPlan Plan, IReadOnlyList<StagedPartition> Staged, IReadOnlyList<BucketResult> Buckets);

/// <summary>What the materialisation orchestration returns.</summary>
public sealed record MaterializationOutput(string View, int ViewVersion, string MaterializationId, long Rows, long Entities, int Files, int OnlineWritten, int OnlineUnchanged, string Manifest);

/// <summary>The orchestration's custom status.</summary>
public sealed record MaterializationProgress(string Step, string Detail);

/// <summary>
/// The materialisation orchestration: one activity per source partition (stage), then one per entity bucket (compute:
/// Parquet parts by date and the online store), then the commit (manifest and catalog record). Deterministic; every
/// activity is idempotent, so retries and re-runs are safe.
/// </summary>
public static class FeatureMaterialization
{
    /// <summary>The orchestrator's name.</summary>
    public const string OrchestratorName = "MaterializeFeatureView";

    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>The orchestrator function.</summary>
    [Function(OrchestratorName)]
    public static async Task<MaterializationOutput> RunOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var plan = context.GetInput<MaterializationPlan>() ?? throw new InvalidOperationException("The materialisation needs its plan.");
        context.SetCustomStatus(new MaterializationProgress("stage", $"{plan.Partitions.Count} source partition(s) of {plan.SourceKind} '{plan.SourceName}'"));
        var staged = await Task.WhenAll(plan.Partitions.Select(p =>
            context.CallActivityAsync<StagedPartition>(nameof(FeatureActivities.StageFeaturePartition), new StagePartitionInput(plan, p.Index), Retry)));

        context.SetCustomStatus(new MaterializationProgress("compute", $"{plan.Buckets} entity bucket(s), {staged.Sum(s => s.Rows)} rows"));
        var buckets = await Task.WhenAll(Enumerable.Range(0, plan.Buckets).Select(b =>
            context.CallActivityAsync<BucketResult>(nameof(FeatureActivities.ComputeFeatureBucket), new ComputeBucketInput(plan, b), Retry)));

        context.SetCustomStatus(new MaterializationProgress("commit", "manifest and catalog record"));
        var summary = await context.CallActivityAsync<MaterializationSummary>(nameof(FeatureActivities.CommitFeatureMaterialization),
            new CommitMaterializationInput(plan, staged, buckets), Retry);
        context.SetCustomStatus(new MaterializationProgress("done", summary.Manifest));
        return new MaterializationOutput(plan.View, plan.ViewVersion, plan.MaterializationId, summary.Rows, summary.Entities, buckets.Sum(b => b.Files.Count),
            buckets.Sum(b => b.OnlineWritten), buckets.Sum(b => b.OnlineUnchanged), summary.Manifest);
    }
}

/// <summary>The materialisation's activities: bindings of <see cref="Materializer"/>'s steps.</summary>
public sealed class FeatureActivities(Materializer materializer)
{
    /// <summary>Stages one source partition.</summary>
    [Function(nameof(StageFeaturePartition))]
    public Task<StagedPartition> StageFeaturePartition([ActivityTrigger] StagePartitionInput input, FunctionContext context) =>
        materializer.StagePartitionAsync(input.Plan, input.Partition, context.CancellationToken);

    /// <summary>Computes one entity bucket.</summary>
    [Function(nameof(ComputeFeatureBucket))]
    public Task<BucketResult> ComputeFeatureBucket([ActivityTrigger] ComputeBucketInput input, FunctionContext context) =>
        materializer.ComputeBucketAsync(input.Plan, input.Bucket, context.CancellationToken);

    /// <summary>Writes the manifest and records the materialisation.</summary>
    [Function(nameof(CommitFeatureMaterialization))]
    public async Task<MaterializationSummary> CommitFeatureMaterialization([ActivityTrigger] CommitMaterializationInput input, FunctionContext context)
    {
        var manifest = await materializer.CommitAsync(input.Plan, input.Staged, input.Buckets, context.CancellationToken).ConfigureAwait(false);
        var path = Mlops.Features.Offline.OfflineStore.ManifestPath(Mlops.Features.Offline.OfflineStore.Prefix(manifest.Project, manifest.View, manifest.ViewVersion), manifest.MaterializationId);
        return MaterializationSummary.Of(manifest, path);
    }
}

/// <summary>A started (or already running) materialisation.</summary>
/// <param name="View">The view.</param>
/// <param name="InstanceId">The orchestration instance: <c>features-{view}-{materialisation:16}</c>.</param>
/// <param name="Started">False when the same materialisation was already pending or running.</param>
public sealed record LaunchedMaterialization(string View, string InstanceId, bool Started);

/// <summary>
/// Starts materialisations. The instance id derives from the plan's materialisation id, so the same inputs asked for
/// twice at once (an upload and the timer) run once; a finished one runs again on request (and changes nothing).
/// </summary>
public sealed partial class FeatureMaterializationLauncher(FeatureStore store, ILogger<FeatureMaterializationLauncher> logger)
{
    /// <summary>Plans and starts a materialisation of <paramref name="view"/> unless the same one is pending or running.</summary>
    public async Task<LaunchedMaterialization> LaunchAsync(DurableTaskClient client, string view, CancellationToken cancellationToken)
    {
        var plan = await store.Materializer.PlanAsync(view, cancellationToken).ConfigureAwait(false);
        var instanceId = $"features-{view}-{plan.MaterializationId[..16]}";
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (existing is { RuntimeStatus: OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running })
        {
            return new LaunchedMaterialization(view, instanceId, Started: false);
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(FeatureMaterialization.OrchestratorName, plan, new StartOrchestrationOptions(instanceId), cancellationToken)
                .ConfigureAwait(false);
            LogStarted(logger, view, plan.ViewVersion, instanceId, plan.Partitions.Count, plan.Buckets);
            return new LaunchedMaterialization(view, instanceId, Started: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Another caller started the same materialisation an instant earlier: that run is this one.
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is null)
            {
                throw;
            }

            return new LaunchedMaterialization(view, instanceId, Started: false);
        }
    }

    /// <summary>
    /// Materialises every view whose source is <paramref name="sourceKind"/> <paramref name="sourceName"/> (after an accepted
    /// upload). A view that cannot be planned (its definition no longer fits the data) is logged and skipped, so one bad
    /// view never blocks the upload that triggered it.
    /// </summary>
    public async Task<IReadOnlyList<LaunchedMaterialization>> LaunchForSourceAsync(DurableTaskClient client, string sourceKind, string sourceName, CancellationToken cancellationToken)
    {
        var launched = new List<LaunchedMaterialization>();
        await foreach (var (view, _) in store.Views.ListViewsAsync(cancellationToken).ConfigureAwait(false))
        {
            var definition = await store.Views.FindAsync(view, cancellationToken: cancellationToken).ConfigureAwait(false);
            var source = definition?.Spec.Source;
            if (source is null || (sourceKind == "project" ? source.Project : source.Stream) != sourceName)
            {
                continue;
            }

            try
            {
                launched.Add(await LaunchAsync(client, view, cancellationToken).ConfigureAwait(false));
            }
            catch (Core.Errors.MlopsException ex)
            {
                LogSkipped(logger, view, ex.Message);
            }
        }

        return launched;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Materialising feature view {View} v{Version} as {InstanceId}: {Partitions} partition(s), {Buckets} bucket(s)")]
    private static partial void LogStarted(ILogger logger, string view, int version, string instanceId, int partitions, int buckets);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Feature view {View} was not materialised: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string view, string reason);
}
