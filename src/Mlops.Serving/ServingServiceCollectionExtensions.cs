using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;

namespace Mlops.Serving;

/// <summary>Registration in a DI container.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the serving services as singletons: <see cref="ServingOptions"/>, <see cref="ModelCache"/>,
    /// <see cref="PredictionLogWriter"/> (disposed, and so drained, when the container is), <see cref="PredictionService"/>
    /// and <see cref="OpenInferenceService"/>. Needs <see cref="ModelRegistry"/> and <see cref="PredictionLog"/> in the
    /// container (<c>AddMlopsCatalog</c>).
    /// </summary>
    public static IServiceCollection AddMlopsServing(this IServiceCollection services, ServingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(options ?? new ServingOptions());
        services.TryAddSingleton(sp => new ModelCache(sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<ServingOptions>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new PredictionLogWriter(sp.GetRequiredService<PredictionLog>(), sp.GetRequiredService<ServingOptions>(),
            sp.GetService<ILogger<PredictionLogWriter>>()));
        services.TryAddSingleton(sp => new PredictionService(sp.GetRequiredService<ModelCache>(), sp.GetRequiredService<PredictionLogWriter>(),
            sp.GetRequiredService<ServingOptions>(), sp.GetService<TimeProvider>(), sp.GetService<IPredictionInputFiller>()));
        services.TryAddSingleton(sp => new OpenInferenceService(sp.GetRequiredService<PredictionService>(), sp.GetRequiredService<ModelCache>(),
            sp.GetRequiredService<ModelRegistry>(), sp.GetRequiredService<ServingOptions>()));
        return services;
    }
}
