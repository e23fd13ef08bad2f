using System.Text.Json;
using Azure.Core.Serialization;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.FunctionApp.Features;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline;
using Mlops.Serving;
using Mlops.Storage;

namespace Mlops.FunctionApp.Hosting;

/// <summary>The app's services: settings, Azure clients, catalog, serving, pipeline and monitoring. One place to see what the functions depend on.</summary>
internal static class AppServices
{
    /// <summary>The storage connection the app, the Durable extension and the blob trigger share.</summary>
    public const string StorageConnection = "AzureWebJobsStorage";

    /// <summary>
    /// The one setting for what the worker serializes, the Durable SDK included (its data converter wraps this
    /// serializer): orchestration inputs, outputs and custom status are camelCase, as <c>GET /api/runs/{runId}</c>
    /// shows them in <c>progress</c> and <c>output</c>; reading stays case-insensitive.
    /// </summary>
    public static readonly JsonSerializerOptions WorkerJson = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddMlopsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WorkerOptions>(worker => worker.Serializer = new JsonObjectSerializer(WorkerJson));
        services.AddOptions<MlopsSettings>()
            .Bind(configuration)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MlopsSettings>, MlopsSettingsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MlopsSettings>>().Value.ToMonitoringOptions());

        services.AddAzureClients(clients => AddStorageClients(clients, configuration));
        services.AddMlopsCatalog(sp => new StorageAccount(
            new AzureTableStore(sp.GetRequiredService<TableServiceClient>()), new AzureBlobStore(sp.GetRequiredService<BlobServiceClient>())));
        services.AddSingleton(TimeProvider.System);
        services.AddMlopsServing();
        services.AddMlopsPipeline();
        services.AddSingleton<RunLauncher>();
        services.AddSingleton<FeatureMaterializationLauncher>();
        services.AddSingleton<IPredictionInputFiller, OnlineFeatureFiller>();
        return services;
    }

    /// <summary>
    /// Blob and table clients from the <c>AzureWebJobsStorage</c> connection, read the way the Functions host reads it:
    /// a connection string, or identity-based <c>__blobServiceUri</c>/<c>__tableServiceUri</c> (or <c>__accountName</c>).
    /// </summary>
    private static void AddStorageClients(AzureClientFactoryBuilder clients, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageConnection);
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            clients.AddBlobServiceClient(section.Value);
            clients.AddTableServiceClient(section.Value);
            return;
        }

        var account = section["accountName"];
        var blobUri = section["blobServiceUri"] ?? (account is null ? null : $"https://{account}.blob.core.windows.net");
        var tableUri = section["tableServiceUri"] ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        if (blobUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage connection '{StorageConnection}' is not configured: set it to a connection string, or set " +
                $"'{StorageConnection}__accountName' (or '__blobServiceUri' and '__tableServiceUri') for managed identity.");
        }

        // Without an explicit credential the factory uses DefaultAzureCredential, which picks up the managed identity.
        clients.AddBlobServiceClient(new Uri(blobUri));
        clients.AddTableServiceClient(new Uri(tableUri));
    }
}
