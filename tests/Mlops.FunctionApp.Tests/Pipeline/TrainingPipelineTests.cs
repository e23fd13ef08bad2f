using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline;
using Mlops.Testing;

namespace Mlops.FunctionApp.Tests.Pipeline;

[Collection(PipelineAzurite.Name)]
public sealed class TrainingPipelineTests(AzuriteFixture azurite)
{
    private static readonly string Weather = File.ReadAllText(RepoPaths.Dataset("seattle-weather.csv"));

    [Fact]
    public async Task RunAsync_FirstDataset_RegistersAndPromotesVersionOne()
    {
        await using var harness = await PipelineHarness.StartAsync(azurite.ConnectionString);
        var sha = await harness.AddDatasetAsync("orch-first", PipelineHarness.FastSpec, Weather);

        var instance = await harness.RunToEndAsync("orch-first", "orch-first-run", [sha]);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var result = instance.ReadOutputAs<PipelineResult>()!;
        Assert.Equal(("succeeded", "orch-first", 1, true), (result.Status, result.ModelName, result.Version, result.Promoted));
        Assert.Equal("done", instance.ReadCustomStatusAs<PipelineProgress>()!.Stage);
        var production = await harness.Catalog.Models.FindAliasAsync("orch-first", ModelRegistry.ProductionAlias);
        Assert.Equal(1, production!.Version);
        var run = await harness.Catalog.Runs.GetAsync("orch-first-run");
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Contains(run.Stages, s => s.Name == "deploy" && s.Status == RunStatus.Succeeded);
    }

    [Fact]
    public async Task RunAsync_StageFailsTransiently_RetriesAndCompletes()
    {
        await using var harness = await PipelineHarness.StartAsync(azurite.ConnectionString);
        var sha = await harness.AddDatasetAsync("orch-retry", PipelineHarness.FastSpec, Weather);
        harness.FailuresToInject[ExportStage.Name] = 2;

        var instance = await harness.RunToEndAsync("orch-retry", "orch-retry-run", [sha]);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        Assert.Equal(0, harness.FailuresToInject[ExportStage.Name]);
        Assert.Equal(1, instance.ReadOutputAs<PipelineResult>()!.Version);
    }

    [Fact]
    public async Task RunAsync_DataBreaksTheRunsSpec_FailsAndRecordsTheFailure()
    {
        await using var harness = await PipelineHarness.StartAsync(azurite.ConnectionString);
        var sha = await harness.AddDatasetAsync("orch-broken", PipelineHarness.FastSpec, Weather);
        // Spec v2 names a target the accepted data does not have: validation of the run's training set must reject it.
        await harness.Catalog.Projects.PutAsync("orch-broken", """{"target":"no_such_column","task":"multiclass"}""");

        var instance = await harness.RunToEndAsync("orch-broken", "orch-broken-run", [sha]);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance.RuntimeStatus);
        var progress = instance.ReadCustomStatusAs<PipelineProgress>()!;
        Assert.Equal("failed", progress.Stage);
        Assert.Contains("no_such_column", progress.Detail, StringComparison.Ordinal);
        var run = await harness.Catalog.Runs.GetAsync("orch-broken-run");
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Null(await harness.Catalog.Models.FindAliasAsync("orch-broken", ModelRegistry.ProductionAlias));
    }

    [Fact]
    public async Task LaunchAsync_SameRunIdAgain_JoinsTheExistingRun()
    {
        await using var harness = await PipelineHarness.StartAsync(azurite.ConnectionString);
        var sha = await harness.AddDatasetAsync("orch-twice", PipelineHarness.FastSpec, Weather);
        var launcher = harness.Services.GetRequiredService<RunLauncher>();
        var runId = PipelineRuns.UploadRunId("orch-twice", sha);

        // The in-process backend does not refuse a second start of a running id (the Azure Storage backend does, and
        // RunLauncher's catch turns that into a join), so the starts here are sequential: a repeat while running, and after.
        var first = await launcher.LaunchAsync(harness.Client, "orch-twice", runId, [sha], RunTrigger.Upload, sha, default);
        var whileRunning = await launcher.LaunchAsync(harness.Client, "orch-twice", runId, [sha], RunTrigger.Upload, sha, default);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var instance = await harness.Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        var afterwards = await launcher.LaunchAsync(harness.Client, "orch-twice", runId, [sha], RunTrigger.Upload, sha, default);

        Assert.Equal((true, false, false), (first.Started, whileRunning.Started, afterwards.Started));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        var model = await harness.Catalog.Models.GetModelAsync("orch-twice");
        Assert.Single(model.Versions);
    }
}
