using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Mlops.LocalHost.Tests;

/// <summary>HTTP, admin, blob, queue and Durable behaviour through one host running the test handler on real Azurite.</summary>
public sealed class HostTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task HttpTrigger_RouteWithParameters_SendsRequestObjectAndQuotedMetadata()
    {
        using var response = await Http.PostAsync("api/items/42/abc?x=1&code=secret", new StringContent("""{"k":"v"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("yes", response.Headers.GetValues("x-custom").Single());
        var payload = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var req = payload["Data"]!["req"]!;
        Assert.Equal("POST", req["Method"]!.GetValue<string>());
        Assert.Equal("42", req["Params"]!["id"]!.GetValue<string>());
        Assert.Equal("abc", req["Params"]!["label"]!.GetValue<string>());
        Assert.Equal("""{"k":"v"}""", req["Body"]!.GetValue<string>());
        Assert.Equal("1", req["Query"]!["x"]!.GetValue<string>());
        var metadata = payload["Metadata"]!;
        Assert.Equal("\"42\"", metadata["id"]!.GetValue<string>());
        Assert.Equal("\"1\"", metadata["x"]!.GetValue<string>());
        Assert.Equal("\"v\"", metadata["k"]!.GetValue<string>());
        Assert.Null(metadata["code"]);
        Assert.Equal("Echo", metadata["sys"]!["MethodName"]!.GetValue<string>());
    }

    [Fact]
    public async Task HttpTrigger_RouteConstraintOrMethodMismatch_IsNotRouted()
    {
        using var notInt = await Http.GetAsync("api/items/abc");
        using var wrongMethod = await Http.GetAsync("api/start/Chain");

        Assert.Equal(HttpStatusCode.NotFound, notInt.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task AdminApi_TimerFunction_Returns202AndRunsWithTimerInfoObject()
    {
        using var unknown = await Http.PostAsync("admin/functions/NoSuchFunction", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));
        using var noBody = await Http.PostAsync("admin/functions/TimerProbe", new StringContent("", Encoding.UTF8, "application/json"));
        using var accepted = await Http.PostAsync("admin/functions/timerprobe", new StringContent("""{"input":""}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("", await accepted.Content.ReadAsStringAsync());
        var probe = (await TestSupport.WaitForAsync(async () => (await TestSupport.ProbesAsync(fixture.ConnectionString, "TimerProbe")).FirstOrDefault(), "the timer probe"))!;
        var timer = probe["Data"]!["timer"]!.AsObject();
        Assert.False(timer["IsPastDue"]!.GetValue<bool>());
        Assert.True(timer["Schedule"]!["AdjustForDST"]!.GetValue<bool>());
    }

    [Fact]
    public async Task BlobTrigger_NewBlobs_FireOncePerVersionWithBase64AndPathTokens()
    {
        var blobs = new BlobServiceClient(fixture.ConnectionString);
        var input = blobs.GetBlobContainerClient("samples-in");
        await input.CreateIfNotExistsAsync();
        await input.GetBlobClient("cat1/a.txt").UploadAsync(BinaryData.FromString("hello"), overwrite: true);

        var first = await TestSupport.WaitForAsync(async () => (await TestSupport.ProbesAsync(fixture.ConnectionString, "BlobProbe")).FirstOrDefault(), "the blob probe");
        Assert.Equal(Convert.ToBase64String("hello"u8.ToArray()), first!["Data"]!["blob"]!.GetValue<string>());
        Assert.Equal("\"cat1\"", first["Metadata"]!["category"]!.GetValue<string>());
        Assert.Equal("\"a.txt\"", first["Metadata"]!["name"]!.GetValue<string>());
        Assert.EndsWith("samples-in/cat1/a.txt", TestSupport.Unquote(first["Metadata"]!["Uri"]));
        Assert.IsType<JsonObject>(first["Metadata"]!["Properties"]);
        Assert.Null(first["Metadata"]!["BlobTrigger"]);

        var output = blobs.GetBlobContainerClient("samples-out").GetBlobClient("cat1/a.txt");
        await TestSupport.WaitForAsync(async () => (bool?)(await output.ExistsAsync()).Value, "the output blob");
        Assert.Equal("hello", (await output.DownloadContentAsync()).Value.Content.ToString());

        // A later blob is seen by a later scan; by then the first must still have fired exactly once.
        await input.GetBlobClient("cat1/b.txt").UploadAsync(BinaryData.FromString("second"), overwrite: true);
        await TestSupport.WaitForAsync(async () => (await TestSupport.ProbesAsync(fixture.ConnectionString, "BlobProbe")).Count >= 2 ? (bool?)true : null, "the second blob");
        var probes = await TestSupport.ProbesAsync(fixture.ConnectionString, "BlobProbe");
        Assert.Single(probes, p => p["Metadata"]!["name"]!.GetValue<string>() == "\"a.txt\"");

        var receipts = blobs.GetBlobContainerClient("azure-webjobs-hosts");
        var names = new List<string>();
        await foreach (var r in receipts.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"blobreceipts/{fixture.Host.HostId}/Host.Functions.BlobProbe/", CancellationToken.None))
        {
            names.Add(r.Name);
        }

        Assert.Contains(names, n => n.EndsWith("/samples-in/cat1/a.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlobTrigger_FunctionAlwaysFails_TriesFiveTimesThenPoisonQueue()
    {
        var container = new BlobServiceClient(fixture.ConnectionString).GetBlobContainerClient("fails-in");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("broken.txt").UploadAsync(BinaryData.FromString("x"), overwrite: true);
        var poison = new QueueClient(fixture.ConnectionString, "webjobs-blobtrigger-poison");

        var message = await TestSupport.WaitForAsync(async () =>
        {
            if (!await poison.ExistsAsync())
            {
                return null;
            }

            var peeked = (await poison.PeekMessagesAsync(10)).Value;
            return peeked.FirstOrDefault(m => m.Body.ToString().Contains("broken.txt", StringComparison.Ordinal));
        }, "the poison message");

        Assert.Contains("Host.Functions.BlobAlwaysFails", message!.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, (await TestSupport.ProbesAsync(fixture.ConnectionString, "BlobAlwaysFails")).Count);
    }

    [Fact]
    public async Task QueueTrigger_TextAndJsonMessages_ArriveQuotedWithDequeueCount()
    {
        var queue = new QueueClient(fixture.ConnectionString, "probe-items");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(Convert.ToBase64String("hello"u8.ToArray()));
        await queue.SendMessageAsync(Convert.ToBase64String("""{"a":1,"instanceId":"x","o":{"p":true}}"""u8.ToArray()));

        var probes = await TestSupport.WaitForAsync(async () =>
        {
            var p = await TestSupport.ProbesAsync(fixture.ConnectionString, "QueueProbe");
            return p.Count >= 2 ? p : null;
        }, "two queue probes");

        var text = probes.Single(p => p["Data"]!["msg"]!.GetValue<string>() == "\"hello\"");
        Assert.Equal("1", text["Metadata"]!["DequeueCount"]!.GetValue<string>());
        Assert.StartsWith("\"", text["Metadata"]!["Id"]!.GetValue<string>());
        var json = probes.Single(p => p != text);
        Assert.Equal("\"1\"", json["Metadata"]!["a"]!.GetValue<string>());
        Assert.Equal("\"x\"", json["Metadata"]!["instanceId"]!.GetValue<string>());
        Assert.True(json["Metadata"]!["o"]!["p"]!.GetValue<bool>());
    }

    [Fact]
    public async Task QueueTrigger_FunctionAlwaysFails_FiveTriesThenPoisonQueue()
    {
        var queue = new QueueClient(fixture.ConnectionString, "bad-items");
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(Convert.ToBase64String("bad"u8.ToArray()));
        var poison = new QueueClient(fixture.ConnectionString, "bad-items-poison");

        await TestSupport.WaitForAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync(1)).Value.Length == 1 ? (bool?)true : null, "the poison queue");

        var attempts = await TestSupport.ProbesAsync(fixture.ConnectionString, "QueueFails");
        Assert.Equal(["1", "2", "3", "4", "5"], attempts.Select(a => a["Metadata"]!["DequeueCount"]!.GetValue<string>()).Order().ToArray());
    }

    private async Task<(HttpResponseMessage Response, JsonObject Body)> StartViaClientAsync(string orchestrator, string input)
    {
        var response = await Http.PostAsync($"api/start/{orchestrator}", new StringContent(input, Encoding.UTF8, "application/json"));
        return (response, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task<JsonObject> WaitForStatusAsync(string statusUri, params string[] statuses) =>
        (await TestSupport.WaitForAsync(async () =>
        {
            var s = JsonNode.Parse(await Http.GetStringAsync(statusUri))!.AsObject();
            return statuses.Contains(s["runtimeStatus"]!.GetValue<string>()) ? s : null;
        }, $"status {string.Join('/', statuses)} of {statusUri}"))!;

    private static string StatusUri(string instanceId) => $"runtime/webhooks/durabletask/instances/{instanceId}";

    [Fact]
    public async Task DurableClient_StartChain_CheckStatusPayloadThenCompletedOutput()
    {
        var (response, body) = await StartViaClientAsync("Chain", "3");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(
            ["id", "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri", "restartPostUri", "suspendPostUri", "resumePostUri"],
            body.Select(p => p.Key).ToArray());
        var statusUri = body["statusQueryGetUri"]!.GetValue<string>();
        Assert.StartsWith(new Uri(fixture.Host.BaseUri, "runtime/webhooks/durabletask/instances/").ToString(), statusUri);
        Assert.Contains("taskHub=LocalHostTests&connection=Storage&code=", statusUri, StringComparison.Ordinal);

        var done = await WaitForStatusAsync(statusUri, "Completed");
        Assert.Equal(["Hello n0!", "Hello n1!", "Hello n2!"], done["output"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
        Assert.Equal(3, done["input"]!.GetValue<int>());
        using var final = await Http.GetAsync(statusUri);
        Assert.Equal(HttpStatusCode.OK, final.StatusCode);

        // The client payload (spec §6.1) pointed at this host.
        var starter = (await TestSupport.ProbesAsync(fixture.ConnectionString, "Starter")).First();
        var client = JsonNode.Parse(TestSupport.Unquote(starter["Data"]!["starter"]))!;
        Assert.Equal(new Uri(fixture.Host.BaseUri, "runtime/webhooks/durabletask").ToString(), client["httpBaseUrl"]!.GetValue<string>());
        Assert.Equal("LocalHostTests", client["taskHubName"]!.GetValue<string>());
        Assert.True(client.AsObject().ContainsKey("creationUrls"));
        Assert.StartsWith("code=", client["requiredQueryStringParameters"]!.GetValue<string>());

        // The orchestrator got a quoted base64 request and only sys in Metadata (spec §3.2, §9a).
        var orchestratorCall = (await TestSupport.ProbesAsync(fixture.ConnectionString, "Chain")).First();
        var base64 = TestSupport.Unquote(orchestratorCall["Data"]!["context"]);
        Assert.NotEmpty(Mlops.Durable.Protocol.OrchestratorRequest.Parser.ParseFrom(Convert.FromBase64String(base64)).NewEvents);
        Assert.Equal(["sys"], orchestratorCall["Metadata"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task Durable_FanOutOf20_SumsEveryActivity()
    {
        var (_, body) = await StartViaClientAsync("FanOut", "20");
        var done = await WaitForStatusAsync(body["statusQueryGetUri"]!.GetValue<string>(), "Completed", "Failed");
        Assert.Equal(190, done["output"]!.GetValue<int>());
    }

    [Fact]
    public async Task Durable_TimerThenExternalEvent_CompletesWithEventDataAndCustomStatus()
    {
        var (_, body) = await StartViaClientAsync("Approval", "\"bob\"");
        var id = body["id"]!.GetValue<string>();
        var waiting = await TestSupport.WaitForAsync(async () =>
        {
            using var r = await Http.GetAsync(StatusUri(id));
            var s = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
            return s["customStatus"]?.GetValue<string>() == "waiting" ? r.Headers : null;
        }, "custom status 'waiting'");
        Assert.Equal("5", waiting!.GetValues("Retry-After").Single());
        Assert.NotNull(waiting.Location);

        using var wrongType = await Http.PostAsync($"{StatusUri(id)}/raiseEvent/Approve", new StringContent("\"yes\"", Encoding.UTF8, "text/plain"));
        using var raised = await Http.PostAsync($"{StatusUri(id)}/raiseEvent/Approve", new StringContent("\"yes\"", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        var done = await WaitForStatusAsync(StatusUri(id), "Completed");
        Assert.Equal("bob:yes", done["output"]!.GetValue<string>());
        Assert.Equal("done", done["customStatus"]!.GetValue<string>());
        using var gone = await Http.PostAsync($"{StatusUri(id)}/raiseEvent/Approve", new StringContent("\"again\"", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
    }

    [Fact]
    public async Task Durable_SubOrchestrationAndSendEvent_ChildOutputAndPeerReceivesEvent()
    {
        var parentId = "parent-" + Guid.NewGuid().ToString("N")[..8];
        using var peer = await Http.PostAsync($"runtime/webhooks/durabletask/orchestrators/Forever/{parentId}-peer", null);
        using var parent = await Http.PostAsync($"runtime/webhooks/durabletask/orchestrators/Parent/{parentId}", new StringContent("2", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, parent.StatusCode);

        var done = await WaitForStatusAsync(StatusUri(parentId), "Completed", "Failed");
        Assert.Equal(["Hello n0!", "Hello n1!"], done["output"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray());
        var peerDone = await WaitForStatusAsync(StatusUri(parentId + "-peer"), "Completed");
        Assert.Equal("from-parent", peerDone["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Durable_ContinueAsNew_RunsNewExecutionsUntilDone()
    {
        using var start = await Http.PostAsync("runtime/webhooks/durabletask/orchestrators/Counter", new StringContent("0", Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await start.Content.ReadAsStringAsync())!;
        var done = await WaitForStatusAsync(body["statusQueryGetUri"]!.GetValue<string>(), "Completed");
        Assert.Equal(3, done["output"]!.GetValue<int>());
        Assert.Equal(3, done["input"]!.GetValue<int>());
    }

    [Fact]
    public async Task Durable_ActivityReturns500_OrchestrationFailsWithHostFailureDetails()
    {
        using var start = await Http.PostAsync("runtime/webhooks/durabletask/orchestrators/Failing", new StringContent("\"x\"", Encoding.UTF8, "application/json"));
        var id = JsonNode.Parse(await start.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await WaitForStatusAsync(StatusUri(id), "Failed");

        using var withHistory = await Http.GetAsync($"{StatusUri(id)}?showHistory=true&showHistoryOutput=true");
        using var asError = await Http.GetAsync($"{StatusUri(id)}?returnInternalServerErrorOnFailure=true");

        Assert.Equal(HttpStatusCode.OK, withHistory.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, asError.StatusCode);
        var history = JsonNode.Parse(await withHistory.Content.ReadAsStringAsync())!["historyEvents"]!.AsArray();
        var failed = history.Single(e => e!["EventType"]!.GetValue<string>() == "TaskFailed")!;
        Assert.Equal("Exception while executing function: Functions.Fail", failed["Reason"]!.GetValue<string>());
        Assert.Equal("Response status code does not indicate success: 500 (Internal Server Error).", failed["Details"]!.GetValue<string>());
        Assert.Equal("Fail", failed["FunctionName"]!.GetValue<string>());
        Assert.DoesNotContain(history, e => e!["EventType"]!.GetValue<string>() is "OrchestratorStarted" or "TaskScheduled");
    }

    [Fact]
    public async Task ManagementApi_TerminateSuspendResumePurge_ExactStatusCodes()
    {
        var api = "runtime/webhooks/durabletask";
        var a = "forever-" + Guid.NewGuid().ToString("N")[..8];
        var b = a + "-b";
        using var s1 = await Http.PostAsync($"{api}/orchestrators/Forever/{a}", null);
        using var duplicate = await Http.PostAsync($"{api}/orchestrators/Forever/{a}", null);
        using var unknown = await Http.PostAsync($"{api}/orchestrators/NoSuchOrchestrator", null);
        using var badId = await Http.PostAsync($"{api}/orchestrators/Forever/@bad", null);
        using var s2 = await Http.PostAsync($"{api}/orchestrators/Forever/{b}", null);

        Assert.Equal(HttpStatusCode.InternalServerError, duplicate.StatusCode);
        Assert.Equal("DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException", JsonNode.Parse(await duplicate.Content.ReadAsStringAsync())!["ExceptionType"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        await WaitForStatusAsync(StatusUri(a), "Running");
        await WaitForStatusAsync(StatusUri(b), "Running");

        using var terminate = await Http.PostAsync($"{StatusUri(a)}/terminate?reason=stop", null);
        Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        var terminated = await WaitForStatusAsync(StatusUri(a), "Terminated");
        Assert.Equal("stop", terminated["output"]!.GetValue<string>());
        using var again = await Http.PostAsync($"{StatusUri(a)}/terminate?reason=stop", null);
        using var missing = await Http.PostAsync($"{StatusUri("nobody-here")}/terminate", null);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var suspend = await Http.PostAsync($"{StatusUri(b)}/suspend?reason=pause", null);
        Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        await WaitForStatusAsync(StatusUri(b), "Suspended");
        using var ping = await Http.PostAsync($"{StatusUri(b)}/raiseEvent/Ping", new StringContent("\"late\"", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        using var resume = await Http.PostAsync($"{StatusUri(b)}/resume?reason=go", null);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        var resumed = await WaitForStatusAsync(StatusUri(b), "Completed");
        Assert.Equal("late", resumed["output"]!.GetValue<string>());

        using var list = await Http.GetAsync($"{api}/instances?runtimeStatus=Terminated,Completed&instanceIdPrefix=forever-");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.True(list.Headers.Contains("x-ms-continuation-token"));
        var listed = JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Select(x => x!["instanceId"]!.GetValue<string>()).ToList();
        Assert.Contains(a, listed);
        Assert.Contains(b, listed);

        using var purge = await Http.DeleteAsync(StatusUri(a));
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal(1, JsonNode.Parse(await purge.Content.ReadAsStringAsync())!["instancesDeleted"]!.GetValue<int>());
        using var afterPurge = await Http.GetAsync(StatusUri(a));
        using var purgeAgain = await Http.DeleteAsync(StatusUri(a));
        using var purgeManyNoFrom = await Http.DeleteAsync($"{api}/instances");
        Assert.Equal(HttpStatusCode.NotFound, afterPurge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, purgeAgain.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, purgeManyNoFrom.StatusCode);
    }

    [Fact]
    public async Task Durable_ActivityInputs_LayeredAsTheRealHostAndDatesRewritten()
    {
        using var start = await Http.PostAsync("runtime/webhooks/durabletask/orchestrators/RecordInput", null);
        var id = JsonNode.Parse(await start.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var done = await WaitForStatusAsync(StatusUri(id), "Completed", "Failed");

        // Json.NET re-parses the date-like ReturnValue: ".000Z" comes back as "Z" (spec §9a).
        Assert.Equal("2024-01-01T00:00:00Z|2024-01-01T00:00:00Z", done["output"]!.GetValue<string>());
        var records = (await TestSupport.ProbesAsync(fixture.ConnectionString, "Record"))
            .Where(r => r["Metadata"]!["sys"] is not null && (TestSupport.Unquote(r["Metadata"]!["instanceId"]) == id || r["Metadata"]!["name"] is not null)).ToList();
        var tokyo = records.First(r => r["Data"]!["input"]!.GetValue<string>() == "\"\\\"Tokyo\\\"\"");
        Assert.Equal("\"Tokyo\"", tokyo["Metadata"]!["data"]!.GetValue<string>());
        Assert.Equal($"\"{id}\"", tokyo["Metadata"]!["instanceId"]!.GetValue<string>());
        var obj = records.First(r => r["Metadata"]!["name"] is not null);
        Assert.Equal("\"{\\\"instanceId\\\":\\\"leaked\\\",\\\"data\\\":5,\\\"name\\\":\\\"n\\\"}\"", obj["Data"]!["input"]!.GetValue<string>());
        // Object inputs leak their top-level properties into Metadata and overwrite instanceId and data (spec §8.12).
        Assert.Equal("\"leaked\"", obj["Metadata"]!["instanceId"]!.GetValue<string>());
        Assert.Equal("\"5\"", obj["Metadata"]!["data"]!.GetValue<string>());
        Assert.Equal("\"n\"", obj["Metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task TaskHub_StorageLayout_MatchesAzureStorageProvider()
    {
        using var start = await Http.PostAsync("runtime/webhooks/durabletask/orchestrators/Chain", new StringContent("1", Encoding.UTF8, "application/json"));
        var id = JsonNode.Parse(await start.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await WaitForStatusAsync(StatusUri(id), "Completed");

        var tables = new TableServiceClient(fixture.ConnectionString);
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient("LocalHostTestsHistory").QueryAsync<TableEntity>(e => e.PartitionKey == id))
        {
            rows.Add(row);
        }

        Assert.Contains(rows, r => r.RowKey == "sentinel" && r.GetString("ExecutionId") is { Length: > 0 });
        var events = rows.Where(r => r.RowKey != "sentinel").OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        Assert.All(events, r => Assert.Matches("^[0-9A-F]{16}$", r.RowKey));
        Assert.Equal(
            ["OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted", "OrchestratorStarted", "TaskCompleted", "ExecutionCompleted", "OrchestratorCompleted"],
            events.Select(r => r.GetString("EventType")).ToArray());
        var instance = (await tables.GetTableClient("LocalHostTestsInstances").GetEntityAsync<TableEntity>(id, "")).Value;
        Assert.Equal("Completed", instance.GetString("RuntimeStatus"));
        var queues = new QueueServiceClient(fixture.ConnectionString);
        var names = new List<string>();
        await foreach (var q in queues.GetQueuesAsync(prefix: "localhosttests-"))
        {
            names.Add(q.Name);
        }

        Assert.Equal(["localhosttests-control-00", "localhosttests-control-01", "localhosttests-workitems"], names.Order().ToArray());
    }
}
