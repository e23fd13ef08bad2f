using Microsoft.Extensions.DependencyInjection;
using Mlops.Data;
using Mlops.Features;
using Mlops.Pipeline.Ingestion;
using Mlops.Pipeline.Monitoring;

namespace Mlops.Pipeline;

/// <summary>Registration of the pipeline's domain services in a DI container.</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Adds dataset intake, the run workspace, every pipeline stage, <see cref="PipelineRuns"/> and the monitoring checks
    /// as singletons. Needs <see cref="Catalog.CatalogServices"/>, <see cref="Serving.ModelCache"/>, a
    /// <see cref="TimeProvider"/> and <see cref="MonitoringOptions"/> registered by the app.
    /// </summary>
    public static IServiceCollection AddMlopsPipeline(this IServiceCollection services)
    {
        services.AddMlopsFeatureStore();
        services.AddSingleton(new DatasetIngestor());
        services.AddSingleton<DatasetIntake>();
        services.AddSingleton<RunWorkspace>();
        services.AddSingleton<PipelineRuns>();
        services.AddSingleton<ValidateStage>();
        services.AddSingleton<ProfileStage>();
        services.AddSingleton<SplitStage>();
        services.AddSingleton<TrainCandidateStage>();
        services.AddSingleton<EvaluateStage>();
        services.AddSingleton<ExportStage>();
        services.AddSingleton<RegisterStage>();
        services.AddSingleton<GateStage>();
        services.AddSingleton<DeployStage>();
        services.AddSingleton<CompleteStage>();
        services.AddSingleton<MonitoringStore>();
        services.AddSingleton<MonitoringService>();
        return services;
    }
}
