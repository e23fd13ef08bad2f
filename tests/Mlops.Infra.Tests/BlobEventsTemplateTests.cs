using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Infra.Tests;

/// <summary>
/// infra/blob-events.bicep: the Event Grid delivery that Flex Consumption requires for the app's blob trigger,
/// asserted on the compiled ARM JSON.
/// </summary>
public sealed class BlobEventsTemplateTests
{
    private static readonly Lazy<ArmTemplate> Compiled = new(() =>
    {
        var result = BicepCli.Run(RepoPaths.Root, "build", "infra/blob-events.bicep", "--stdout");
        Assert.True(result.ExitCode == 0, result.ToString());
        return ArmTemplate.Parse(result.StandardOutput);
    });

    private static JsonNode Subscription => Compiled.Value.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions").Properties!;

    [Fact]
    public void SystemTopic_Compiled_WatchesTheStorageAccount()
    {
        var topic = Compiled.Value.Single("Microsoft.EventGrid/systemTopics").Properties!;

        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["topicType"]);
        Assert.Contains("Microsoft.Storage/storageAccounts", (string?)topic["source"], StringComparison.Ordinal);
    }

    [Fact]
    public void Subscription_Compiled_DeliversBlobCreatedInIncomingToTheBlobsExtensionWebhook()
    {
        var filter = Subscription["filter"]!;
        Assert.Equal(["Microsoft.Storage.BlobCreated"], filter["includedEventTypes"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', parameters('incomingContainer'))]", (string?)filter["subjectBeginsWith"]);

        var endpoint = (string?)Subscription["destination"]!["properties"]!["endpointUrl"];
        Assert.Contains("/runtime/webhooks/blobs?functionName=Host.Functions.", endpoint, StringComparison.Ordinal);
        Assert.Contains("parameters('ingestFunctionName')", endpoint, StringComparison.Ordinal);
        // Authorised with the blobs extension's system key, read at deployment time (never a stored secret).
        Assert.Contains("listKeys(", endpoint, StringComparison.Ordinal);
        Assert.Contains("systemKeys.blobs_extension", endpoint, StringComparison.Ordinal);
    }
}
