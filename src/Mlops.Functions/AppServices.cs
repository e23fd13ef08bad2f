using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Functions;

/// <summary>The app's services: storage, catalog, model cache, Durable plumbing. One place to see what the handler depends on.</summary>
internal static class AppServices
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        _ = services;
        _ = configuration;
    }
}
