using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Storage;

namespace Mlops.Catalog;

/// <summary>Options of the catalog services.</summary>
public sealed record CatalogOptions
{
    /// <summary>The clock (tests pass a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>This process's name in prediction-log blob names; default <c>WEBSITE_INSTANCE_ID</c>, else machine name and process id.</summary>
    public string InstanceId { get; init; } = Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } id
        ? id[..Math.Min(id.Length, 16)]
        : $"{Environment.MachineName}-{Environment.ProcessId}";
}

/// <summary>Every catalog service over one storage account. Build it in one line; share one instance per process.</summary>
public sealed class CatalogServices
{
    /// <summary>Builds the services over <paramref name="account"/>.</summary>
    public CatalogServices(StorageAccount account, CatalogOptions? options = null)
    {
        options ??= new CatalogOptions();
        Account = account;
        Projects = new ProjectCatalog(account.Tables, options.Time);
        Datasets = new DatasetCatalog(account.Tables, account.Blobs, options.Time);
        Runs = new RunTracker(account.Tables, options.Time);
        Models = new ModelRegistry(account.Tables, account.Blobs, options.Time);
        Predictions = new PredictionLog(account.Blobs, options.InstanceId);
        Feedback = new FeedbackStore(account.Tables);
        DriftReports = new DriftReportStore(account.Tables, account.Blobs);
    }

    /// <summary>The primitive stores underneath.</summary>
    public StorageAccount Account { get; }

    /// <summary>Project specs.</summary>
    public ProjectCatalog Projects { get; }

    /// <summary>Dataset versions and quarantine.</summary>
    public DatasetCatalog Datasets { get; }

    /// <summary>Run tracking.</summary>
    public RunTracker Runs { get; }

    /// <summary>The model registry.</summary>
    public ModelRegistry Models { get; }

    /// <summary>The prediction log.</summary>
    public PredictionLog Predictions { get; }

    /// <summary>Ground-truth feedback.</summary>
    public FeedbackStore Feedback { get; }

    /// <summary>Drift reports.</summary>
    public DriftReportStore DriftReports { get; }

    /// <summary>Over a storage connection string (Azurite's, <c>UseDevelopmentStorage=true</c>, or an account's).</summary>
    public static CatalogServices FromConnectionString(string connectionString, CatalogOptions? options = null) =>
        new(StorageAccount.FromConnectionString(connectionString), options);

    /// <summary>Over the connection named <paramref name="connectionName"/> in app settings (connection string or identity-based; see <see cref="StorageAccount.FromSettings"/>).</summary>
    public static CatalogServices FromSettings(Func<string, string?> getSetting, string connectionName = "AzureWebJobsStorage", CatalogOptions? options = null) =>
        new(StorageAccount.FromSettings(getSetting, connectionName), options);

    /// <summary>In process memory.</summary>
    public static CatalogServices InMemory(CatalogOptions? options = null) =>
        new(StorageAccount.InMemory(options?.Time), options);
}

/// <summary>Registration in a DI container.</summary>
public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="CatalogServices"/> and each service (<see cref="ProjectCatalog"/>, <see cref="DatasetCatalog"/>,
    /// <see cref="RunTracker"/>, <see cref="ModelRegistry"/>, <see cref="PredictionLog"/>, <see cref="FeedbackStore"/>,
    /// <see cref="DriftReportStore"/>) as singletons, over the storage connection <paramref name="connectionName"/> of
    /// <paramref name="configuration"/> (built when first resolved).
    /// </summary>
    public static IServiceCollection AddMlopsCatalog(this IServiceCollection services, IConfiguration configuration, string connectionName = "AzureWebJobsStorage", CatalogOptions? options = null) =>
        services.AddMlopsCatalog(_ => StorageAccount.FromSettings(key => configuration[key], connectionName), options);

    /// <summary>
    /// Adds <see cref="CatalogServices"/> and each service as singletons over the storage account <paramref name="account"/>
    /// builds from the container (e.g. from Azure clients registered with <c>Microsoft.Extensions.Azure</c>).
    /// </summary>
    public static IServiceCollection AddMlopsCatalog(this IServiceCollection services, Func<IServiceProvider, StorageAccount> account, CatalogOptions? options = null)
    {
        services.AddSingleton(sp => new CatalogServices(account(sp), options));
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Projects);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Datasets);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Runs);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Models);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Predictions);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().Feedback);
        services.AddSingleton(sp => sp.GetRequiredService<CatalogServices>().DriftReports);
        return services;
    }
}
