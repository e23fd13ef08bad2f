using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Mlops.WorkerHost.Tests;

/// <summary>Queue, blob and timer triggers and the queue/blob output bindings, observed in real Azurite.</summary>
public sealed class StorageTriggerTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private QueueClient Queue(string name) =>
        new(fixture.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    [Fact]
    public async Task HttpWithQueueOutput_Message_ProcessedByQueueTriggerWithDequeueCount()
    {
        using var response = await fixture.Http.PostAsync("api/Enqueue?text=job-1", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var text = await TestSupport.WaitForAsync(() => TestSupport.BlobTextAsync(fixture.ConnectionString, "processed", "job-1"), "processed/job-1");
        Assert.Equal("job-1:1", text);
    }

    [Fact]
    public async Task QueueTrigger_FunctionAlwaysFails_MessageMovedToPoisonAfterMaxDequeueCount()
    {
        await Queue("work-items").SendMessageAsync("fail-42");
        var poison = Queue("work-items-poison");
        var message = await TestSupport.WaitForAsync(async () =>
        {
            if (!await poison.ExistsAsync())
            {
                return null;
            }

            var peeked = (await poison.PeekMessagesAsync(32)).Value;
            return peeked.FirstOrDefault(m => m.Body.ToString() == "fail-42");
        }, "the poison message");
        Assert.NotNull(message);

        // host.json maxDequeueCount is 2: exactly attempts 1 and 2 ran (each attempt is logged more than once).
        var attempts = System.Text.RegularExpressions.Regex.Matches(fixture.Output.ToString(), @"poison fail-42 attempt (\d+)")
            .Select(m => m.Groups[1].Value).Distinct().Order().ToList();
        Assert.Equal(["1", "2"], attempts);
    }

    [Fact]
    public async Task BlobTrigger_NewBlob_RunsOnceWithContentAndPathToken()
    {
        var incoming = new BlobContainerClient(fixture.ConnectionString, "incoming");
        await incoming.CreateIfNotExistsAsync();
        await incoming.UploadBlobAsync("note-1.txt", BinaryData.FromString("quiet words"));
        var text = await TestSupport.WaitForAsync(() => TestSupport.BlobTextAsync(fixture.ConnectionString, "outgoing", "note-1.txt"), "outgoing/note-1.txt");
        Assert.Equal("QUIET WORDS", text);

        // A receipt keeps the same blob version from running again on later scans.
        await TestSupport.WaitForAsync(async () => (await TestSupport.BlobTextsAsync(fixture.ConnectionString, "azure-webjobs-hosts", "blobreceipts/")).Count > 0, "a receipt");
        var runs = fixture.Output.ToString().Split('\n').Count(l => l.Contains("Executing 'Functions.BlobToUpper'", StringComparison.Ordinal) && l.Contains("note-1.txt", StringComparison.Ordinal));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task BlobTrigger_EventGridSourceBlobClient_GetsModelBindingData()
    {
        var uploads = new BlobContainerClient(fixture.ConnectionString, "uploads");
        await uploads.CreateIfNotExistsAsync();
        await uploads.UploadBlobAsync("data.bin", BinaryData.FromBytes(new byte[1234]));
        var text = await TestSupport.WaitForAsync(() => TestSupport.BlobTextAsync(fixture.ConnectionString, "sizes", "data.bin"), "sizes/data.bin");
        Assert.Equal("data.bin:1234", text);
    }

    [Fact]
    public async Task AdminApi_FireTimer_Returns202AndRunsNotPastDue()
    {
        using var response = await fixture.Http.PostAsync("admin/functions/Nightly", new StringContent("{\"input\":\"\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runs = await TestSupport.WaitForAsync(async () =>
        {
            var list = await TestSupport.BlobTextsAsync(fixture.ConnectionString, "timers", "nightly-");
            return list.Count > 0 ? list : null;
        }, "a timer run");
        Assert.StartsWith("pastDue=False;next=", runs[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminApi_UnknownFunction_Returns404()
    {
        using var response = await fixture.Http.PostAsync("admin/functions/Nope", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AdminApi_HostStatus_IsRunning()
    {
        var status = System.Text.Json.Nodes.JsonNode.Parse(await fixture.Http.GetStringAsync("admin/host/status"))!;
        Assert.Equal("Running", status["state"]!.GetValue<string>());
    }
}
