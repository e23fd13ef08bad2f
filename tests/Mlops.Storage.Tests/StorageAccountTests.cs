namespace Mlops.Storage.Tests;

public sealed class StorageAccountTests
{
    [Fact]
    public void FromSettings_NothingConfigured_ThrowsNamingTheSettings()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => StorageAccount.FromSettings(_ => null));

        Assert.Contains("AzureWebJobsStorage__accountName", ex.Message);
    }

    [Fact]
    public void FromSettings_AccountNameOnly_BuildsIdentityBasedStores()
    {
        var settings = new Dictionary<string, string> { ["AzureWebJobsStorage__accountName"] = "mlopsprod", ["AzureWebJobsStorage__credential"] = "managedidentity" };

        var account = StorageAccount.FromSettings(settings.GetValueOrDefault);

        Assert.IsType<AzureTableStore>(account.Tables);
        Assert.IsType<AzureBlobStore>(account.Blobs);
    }

    [Fact]
    public void FromSettings_ConfigurationSeparatorAndServiceUris_Accepted()
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage:blobServiceUri"] = "https://acct.blob.core.windows.net",
            ["Storage:tableServiceUri"] = "https://acct.table.core.windows.net",
        };

        var account = StorageAccount.FromSettings(settings.GetValueOrDefault, "Storage");

        Assert.IsType<AzureBlobStore>(account.Blobs);
    }

    [Fact]
    public void FromSettings_DevelopmentStorage_BuildsAzureStores()
    {
        var account = StorageAccount.FromSettings(name => name == "AzureWebJobsStorage" ? "UseDevelopmentStorage=true" : null);

        Assert.IsType<AzureTableStore>(account.Tables);
    }
}
