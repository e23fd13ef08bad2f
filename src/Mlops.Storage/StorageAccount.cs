using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace Mlops.Storage;

/// <summary>
/// The tables and blobs of one storage account. Build it from a connection string (including
/// <c>UseDevelopmentStorage=true</c>), from identity-based settings (managed identity, no keys), or in memory.
/// </summary>
public sealed class StorageAccount
{
    /// <summary>Pairs a table store and a blob store.</summary>
    public StorageAccount(TableStore tables, BlobStore blobs)
    {
        Tables = tables;
        Blobs = blobs;
    }

    /// <summary>The account's tables.</summary>
    public TableStore Tables { get; }

    /// <summary>The account's blobs.</summary>
    public BlobStore Blobs { get; }

    /// <summary>An account in process memory (tests, single-process runs).</summary>
    public static StorageAccount InMemory(TimeProvider? time = null) => new(new InMemoryTableStore(time), new InMemoryBlobStore(time));

    /// <summary>An account from a storage connection string, e.g. Azurite's or <c>UseDevelopmentStorage=true</c>.</summary>
    public static StorageAccount FromConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new(new AzureTableStore(new TableServiceClient(connectionString)), new AzureBlobStore(new BlobServiceClient(connectionString)));
    }

    /// <summary>An account from service endpoints and a token credential (managed identity in Azure).</summary>
    public static StorageAccount FromServiceUris(Uri blobServiceUri, Uri tableServiceUri, TokenCredential credential) =>
        new(new AzureTableStore(new TableServiceClient(tableServiceUri, credential)), new AzureBlobStore(new BlobServiceClient(blobServiceUri, credential)));

    /// <summary>
    /// An account from app settings, the way Azure Functions reads a connection named <paramref name="connectionName"/>:
    /// the setting itself as a connection string, or identity-based settings <c>{name}__accountName</c>, or
    /// <c>{name}__blobServiceUri</c> + <c>{name}__tableServiceUri</c>, with <c>{name}__credential=managedidentity</c> and
    /// <c>{name}__clientId</c> for a user-assigned identity (otherwise <see cref="DefaultAzureCredential"/>).
    /// Both <c>__</c> (environment) and <c>:</c> (configuration) separators are accepted.
    /// </summary>
    /// <param name="getSetting">Looks a setting up by name; null when absent.</param>
    /// <param name="connectionName">The connection's name; <c>AzureWebJobsStorage</c> by default.</param>
    public static StorageAccount FromSettings(Func<string, string?> getSetting, string connectionName = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(getSetting);
        string? Setting(string suffix) =>
            NonEmpty(getSetting($"{connectionName}__{suffix}")) ?? NonEmpty(getSetting($"{connectionName}:{suffix}"));

        if (NonEmpty(getSetting(connectionName)) is { } connectionString)
        {
            return FromConnectionString(connectionString);
        }

        var account = Setting("accountName");
        var blobUri = Setting("blobServiceUri") ?? (account is null ? null : $"https://{account}.blob.core.windows.net");
        var tableUri = Setting("tableServiceUri") ?? (account is null ? null : $"https://{account}.table.core.windows.net");
        if (blobUri is null || tableUri is null)
        {
            throw new InvalidOperationException(
                $"Storage connection '{connectionName}' is not configured: set '{connectionName}' to a connection string, or " +
                $"'{connectionName}__accountName' (or both '{connectionName}__blobServiceUri' and '{connectionName}__tableServiceUri') for managed identity.");
        }

        var clientId = Setting("clientId");
        TokenCredential credential = string.Equals(Setting("credential"), "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(clientId is null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
        return FromServiceUris(new Uri(blobUri), new Uri(tableUri), credential);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
