using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Functions.Hosting;
using Mlops.Functions.Pipeline;
using Mlops.Pipeline;
using Mlops.Serving;

namespace Mlops.Functions;

/// <summary>The app's services: storage, catalog, ingestion, pipeline, Durable plumbing. One place to see what the handler depends on.</summary>
internal static class AppServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddMlopsCatalog(configuration);
        services.AddMlopsServing();
        services.AddSingleton(new HttpClient { Timeout = TimeSpan.FromSeconds(100) });
        services.AddSingleton<IDurableInvoker, DurableInvoker>();
        services.AddMlopsPipeline();
        services.AddSingleton<PipelineLauncher>();

        // Monitoring (issue 7): drift + live-quality timer, scheduled retraining, feedback and monitoring routes.
        services.AddSingleton(Mlops.Pipeline.Monitoring.MonitoringOptions.From(configuration));
    }
}
