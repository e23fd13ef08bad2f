using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Durable.Tests;

public sealed class DurableEngineOptionsTests
{
    private const string Connection = "UseDevelopmentStorage=true";

    [Fact]
    public void FromHostJson_NoSection_UsesLocalDefaults()
    {
        var options = DurableEngineOptions.FromHostJson(null, Connection);

        Assert.Equal(Environment.GetEnvironmentVariable("WEBSITE_SITE_NAME") is null ? "TestHubName" : options.HubName, options.HubName);
        Assert.Equal(4, options.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.WorkItemQueueVisibilityTimeout);
        Assert.Equal(Environment.MachineName, options.WorkerId);
    }

    [Fact]
    public void FromHostJson_ExtensionSettings_ReadCaseInsensitively()
    {
        var section = JsonNode.Parse("""
            {
              "HubName": "MlopsHub",
              "maxConcurrentActivityFunctions": 4,
              "storageProvider": {
                "connectionName": "Storage",
                "partitionCount": 2,
                "MaxQueuePollingInterval": "00:00:02",
                "controlQueueVisibilityTimeout": "00:01:00",
                "workItemQueueVisibilityTimeout": "00:00:45",
                "controlQueueBatchSize": "16"
              }
            }
            """);

        var options = DurableEngineOptions.FromHostJson(section, Connection);

        Assert.Equal("MlopsHub", options.HubName);
        Assert.Equal("Storage", options.ConnectionName);
        Assert.Equal(4, options.MaxConcurrentActivityFunctions);
        Assert.Equal(2, options.PartitionCount);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxQueuePollingInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.ControlQueueVisibilityTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), options.WorkItemQueueVisibilityTimeout);
        Assert.Equal(16, options.ControlQueueBatchSize);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1hub")]
    [InlineData("my-hub")]
    public void Validate_InvalidHubName_ThrowsNamingTheHub(string hub)
    {
        var options = new DurableEngineOptions(Connection) { HubName = hub };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains(hub, ex.Message, StringComparison.Ordinal);
    }
}
