using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline;
using Mlops.Pipeline.Ingestion;
using Mlops.Pipeline.Monitoring;
using Mlops.Serving;
using Mlops.Testing;

namespace Mlops.FunctionApp.Tests.Pipeline;

[CollectionDefinition(Name)]
public sealed class PipelineAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "pipeline-azurite";
}

/// <summary>
/// The orchestrator and the real stages on Microsoft.DurableTask's in-process test host (no Functions host), with the
/// stages' storage in real Azurite. Activities are registered under the names the app's functions use.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public const string FastSpec = """{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm"],"search":{"maxCandidates":1}}""";

    private readonly DurableTaskTestHost _host;

    private PipelineHarness(ServiceProvider services, DurableTaskTestHost host)
    {
        Services = services;
        _host = host;
    }

    public ServiceProvider Services { get; }

    public DurableTaskClient Client => _host.Client;

    public CatalogServices Catalog => Services.GetRequiredService<CatalogServices>();

    /// <summary>Failures to inject, by activity name: each entry fails that many attempts before the real stage runs.</summary>
    public Dictionary<string, int> FailuresToInject { get; } = [];

    public static async Task<PipelineHarness> StartAsync(string connectionString)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new MonitoringOptions())
            .AddMlopsCatalog(_ => Storage.StorageAccount.FromConnectionString(connectionString))
            .AddMlopsServing()
            .AddMlopsPipeline()
            .AddSingleton<RunLauncher>()
            .BuildServiceProvider();
        PipelineHarness? harness = null;
        var host = await DurableTaskTestHost.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<PipelineInput, PipelineResult>(PipelineRuns.OrchestratorName, (context, input) => TrainingPipeline.RunAsync(context, input!));
            Add<ValidateStage, StageInput, ValidatedData>(registry, ValidateStage.Name, () => harness!);
            Add<ProfileStage, StageInput, ProfiledData>(registry, ProfileStage.Name, () => harness!);
            Add<SplitStage, StageInput, SplitData>(registry, SplitStage.Name, () => harness!);
            Add<TrainCandidateStage, CandidateInput, CandidateOutcome>(registry, TrainCandidateStage.Name, () => harness!);
            Add<EvaluateStage, EvaluateInput, Evaluation>(registry, EvaluateStage.Name, () => harness!);
            Add<ExportStage, ExportInput, ExportResult>(registry, ExportStage.Name, () => harness!);
            Add<RegisterStage, RegisterInput, Registration>(registry, RegisterStage.Name, () => harness!);
            Add<GateStage, GateInput, GateDecision>(registry, GateStage.Name, () => harness!);
            Add<DeployStage, DeployInput, Deployment>(registry, DeployStage.Name, () => harness!);
            Add<CompleteStage, CompleteInput, bool>(registry, CompleteStage.Name, () => harness!);
        });
        harness = new PipelineHarness(services, host);
        return harness;
    }

    /// <summary>Creates the project and ingests <paramref name="csv"/>; returns the dataset's sha256.</summary>
    public async Task<string> AddDatasetAsync(string project, string spec, string csv)
    {
        await Catalog.Projects.PutAsync(project, spec);
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var result = await Services.GetRequiredService<DatasetIntake>().IngestAsync(project, "data.csv", "test", content, default);
        Assert.True(result.Accepted, result.Dataset.Reason);
        return result.Dataset.Sha256;
    }

    /// <summary>Starts the run the way the app does and waits for the orchestration to finish.</summary>
    public async Task<OrchestrationMetadata> RunToEndAsync(string project, string runId, IReadOnlyList<string> datasets)
    {
        var launched = await Services.GetRequiredService<RunLauncher>().LaunchAsync(Client, project, runId, datasets, Mlops.Catalog.Runs.RunTrigger.Manual, null, default);
        Assert.True(launched.Started);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        return await Client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await Services.DisposeAsync();
    }

    private static void Add<TStage, TInput, TOutput>(DurableTaskRegistry registry, string name, Func<PipelineHarness> harness)
        where TStage : IPipelineStage<TInput, TOutput> =>
        registry.AddActivityFunc<TInput, TOutput>(name, async (_, input) =>
        {
            var h = harness();
            lock (h.FailuresToInject)
            {
                if (h.FailuresToInject.TryGetValue(name, out var left) && left > 0)
                {
                    h.FailuresToInject[name] = left - 1;
                    throw new InvalidOperationException($"Injected transient failure of {name}.");
                }
            }

            return await h.Services.GetRequiredService<TStage>().RunAsync(input!, CancellationToken.None);
        });
}
