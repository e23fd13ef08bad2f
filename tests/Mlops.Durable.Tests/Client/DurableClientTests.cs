using System.Text.Json;
using Mlops.Durable.Client;

namespace Mlops.Durable.Tests.Client;

/// <summary>The management client against a real Kestrel server that answers as §6.2 says.</summary>
public sealed class DurableClientTests : IAsyncLifetime
{
    private DurableApiTestServer server = null!;
    private HttpClient http = null!;
    private DurableClient client = null!;

    public async Task InitializeAsync()
    {
        this.server = await DurableApiTestServer.StartAsync();
        this.http = new HttpClient();
        string payload = JsonSerializer.Serialize(new
        {
            taskHubName = "TestHub",
            connectionName = (string?)null,
            rpcBaseUrl = "http://localhost:4001",
            requiredQueryStringParameters = "code=key",
            httpBaseUrl = new Uri(this.server.BaseAddress, "/runtime/webhooks/durabletask").AbsoluteUri,
            maxGrpcMessageSizeInBytes = 4194304,
            creationUrls = (object?)null,
            managementUrls = (object?)null,
            baseUrl = (string?)null,
        });
        this.client = DurableClient.FromBindingPayload(payload, this.http);
    }

    public async Task DisposeAsync()
    {
        this.http.Dispose();
        await this.server.DisposeAsync();
    }

    [Fact]
    public async Task StartNewAsync_WithInput_ReturnsIdAndSendsHubAndCode()
    {
        string id = await this.client.StartNewAsync("Hello", "job-1", new { city = "Tokyo" });

        Assert.Equal("job-1", id);
        Assert.Equal("""{"city":"Tokyo"}""", this.server.Instances["job-1"].InputJson);
        string request = this.server.RequestLog.Single(r => r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal("POST /runtime/webhooks/durabletask/orchestrators/Hello/job-1?taskHub=TestHub&code=key", request);
    }

    [Fact]
    public async Task StartNewAsync_NoIdNoInput_ReturnsGeneratedIdWithEmptyInput()
    {
        string id = await this.client.StartNewAsync("Hello");

        Assert.StartsWith("generated", id, StringComparison.Ordinal);
        Assert.Null(this.server.Instances[id].InputJson);
    }

    [Fact]
    public async Task StartNewAsync_UnknownOrchestrator_Throws400WithServerMessage()
    {
        var error = await Assert.ThrowsAsync<DurableClientException>(() => this.client.StartNewAsync("Nope"));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("'Nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartNewAsync_RunningInstanceWithSameId_Throws500NamingTheConflict()
    {
        await this.client.StartNewAsync("Hello", "dup");

        var error = await Assert.ThrowsAsync<DurableClientException>(() => this.client.StartNewAsync("Hello", "dup"));

        Assert.Equal(500, error.StatusCode);
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStatusAsync_RunningInstanceWithHistory_ParsesEveryField()
    {
        var created = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
        this.server.Add("i1", "Hello", "Running", created, """{"a":1}""");

        OrchestrationStatus? status = await this.client.GetStatusAsync("i1", showHistory: true);

        Assert.NotNull(status);
        Assert.Equal("Hello", status.Name);
        Assert.Equal("i1", status.InstanceId);
        Assert.Equal(OrchestrationRuntimeStatus.Running, status.RuntimeStatus);
        Assert.Equal(1, status.Input!.Value.GetProperty("a").GetInt32());
        Assert.Null(status.Output);
        Assert.Null(status.CustomStatus);
        Assert.Equal(created, status.CreatedTime);
        Assert.Equal("ExecutionStarted", status.HistoryEvents!.Value[0].GetProperty("EventType").GetString());
        Assert.False(status.IsTerminal);
    }

    [Fact]
    public async Task GetStatusAsync_UnknownInstance_ReturnsNull()
    {
        Assert.Null(await this.client.GetStatusAsync("missing"));
    }

    [Fact]
    public async Task WaitForCompletionAsync_InstanceCompletesAfterPolls_ReturnsCompletedStatus()
    {
        string id = await this.client.StartNewAsync("Slow", "slow-1");

        OrchestrationStatus status = await this.client.WaitForCompletionAsync(id, TimeSpan.FromMilliseconds(1));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status.RuntimeStatus);
        Assert.Equal("slow done", status.ReadOutputAs<string>());
        Assert.Equal(3, this.server.Instances[id].StatusReads);
    }

    [Fact]
    public async Task RaiseEventAsync_ApproveEvent_DeliversJsonAndCompletes()
    {
        await this.client.StartNewAsync("Hello", "ev");

        await this.client.RaiseEventAsync("ev", "approve", new { ok = true });

        Assert.Equal(("approve", """{"ok":true}"""), this.server.Instances["ev"].Events.Single());
        OrchestrationStatus? status = await this.client.GetStatusAsync("ev");
        Assert.Equal(OrchestrationRuntimeStatus.Completed, status!.RuntimeStatus);
    }

    [Fact]
    public async Task RaiseEventAsync_CompletedInstance_Throws410()
    {
        this.server.Add("done", "Hello", "Completed", DateTimeOffset.UtcNow);

        var error = await Assert.ThrowsAsync<DurableClientException>(() => this.client.RaiseEventAsync("done", "x", 1));

        Assert.True(error.IsGone);
    }

    [Fact]
    public async Task RaiseEventAsync_UnknownInstance_Throws404()
    {
        var error = await Assert.ThrowsAsync<DurableClientException>(() => this.client.RaiseEventAsync("ghost", "x"));

        Assert.True(error.IsNotFound);
    }

    [Fact]
    public async Task SuspendResumeTerminate_RunningInstance_ChangeStatusAndPassReason()
    {
        await this.client.StartNewAsync("Hello", "life");

        await this.client.SuspendAsync("life", "pause please");
        Assert.Equal(OrchestrationRuntimeStatus.Suspended, (await this.client.GetStatusAsync("life"))!.RuntimeStatus);
        Assert.Equal("pause please", this.server.Instances["life"].LastReason);
        await this.client.ResumeAsync("life");
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await this.client.GetStatusAsync("life"))!.RuntimeStatus);
        await this.client.TerminateAsync("life", "enough");

        OrchestrationStatus? status = await this.client.GetStatusAsync("life");
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, status!.RuntimeStatus);
        Assert.Equal("enough", status.ReadOutputAs<string>());
        var again = await Assert.ThrowsAsync<DurableClientException>(() => this.client.TerminateAsync("life"));
        Assert.Equal(410, again.StatusCode);
    }

    [Fact]
    public async Task RestartAsync_WithNewId_ReturnsNewIdWithSameInput()
    {
        await this.client.StartNewAsync("Hello", "orig", 42);

        string restarted = await this.client.RestartAsync("orig");

        Assert.NotEqual("orig", restarted);
        Assert.Equal("42", this.server.Instances[restarted].InputJson);
    }

    [Fact]
    public async Task RestartAsync_UnknownInstance_Throws400()
    {
        var error = await Assert.ThrowsAsync<DurableClientException>(() => this.client.RestartAsync("ghost"));

        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public async Task PurgeAsync_OneInstance_ReturnsDeletedCountThenZero()
    {
        this.server.Add("p", "Hello", "Completed", DateTimeOffset.UtcNow);

        Assert.Equal(1, await this.client.PurgeAsync("p"));
        Assert.Equal(0, await this.client.PurgeAsync("p"));
    }

    [Fact]
    public async Task PurgeAsync_TimeRangeAndStatus_DeletesOnlyMatching()
    {
        var t = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        this.server.Add("old-done", "Hello", "Completed", t);
        this.server.Add("old-running", "Hello", "Running", t);
        this.server.Add("new-done", "Hello", "Completed", t.AddDays(10));

        int deleted = await this.client.PurgeAsync(t.AddHours(-1), t.AddHours(1), [OrchestrationRuntimeStatus.Completed]);

        Assert.Equal(1, deleted);
        Assert.Equal(["new-done", "old-running"], this.server.Instances.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListAsync_SmallPages_FollowsContinuationUntilNullToken()
    {
        for (int i = 0; i < 7; i++)
        {
            this.server.Add($"batch-{i}", "Hello", i % 2 == 0 ? "Completed" : "Running", DateTimeOffset.UtcNow);
        }

        this.server.Add("other", "Hello", "Completed", DateTimeOffset.UtcNow);

        var ids = new List<string>();
        await foreach (OrchestrationStatus status in this.client.ListAsync(new InstanceQuery { InstanceIdPrefix = "batch-", PageSize = 3 }))
        {
            ids.Add(status.InstanceId);
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"batch-{i}"), ids);
        Assert.Equal(3, this.server.RequestLog.Count(r => r.StartsWith("GET /runtime/webhooks/durabletask/instances?", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListAsync_StatusFilter_ReturnsOnlyThatStatus()
    {
        this.server.Add("a", "Hello", "Completed", DateTimeOffset.UtcNow);
        this.server.Add("b", "Hello", "Failed", DateTimeOffset.UtcNow);

        var statuses = new List<OrchestrationRuntimeStatus>();
        await foreach (OrchestrationStatus status in this.client.ListAsync(new InstanceQuery { RuntimeStatus = [OrchestrationRuntimeStatus.Failed] }))
        {
            statuses.Add(status.RuntimeStatus);
        }

        Assert.Equal([OrchestrationRuntimeStatus.Failed], statuses);
    }

    [Fact]
    public void CreateCheckStatusPayload_RequestUri_BuildsEightUrlsInOrder()
    {
        CheckStatusPayload payload = this.client.CreateCheckStatusPayload(new Uri("https://app.example.net/api/train?x=1"), "run 1");

        string json = payload.ToJson();

        const string I = "https://app.example.net/runtime/webhooks/durabletask/instances/run%201";
        const string Q = "taskHub=TestHub&connection=Storage&code=key";
        Assert.Equal(
            $$"""{"id":"run 1","statusQueryGetUri":"{{I}}?{{Q}}","sendEventPostUri":"{{I}}/raiseEvent/{eventName}?{{Q}}","terminatePostUri":"{{I}}/terminate?reason={text}&{{Q}}","purgeHistoryDeleteUri":"{{I}}?{{Q}}","restartPostUri":"{{I}}/restart?{{Q}}","suspendPostUri":"{{I}}/suspend?reason={text}&{{Q}}","resumePostUri":"{{I}}/resume?reason={text}&{{Q}}"}""",
            json);
    }

    [Fact]
    public void CreateCheckStatusPayload_HostGivesWholeWebhookQuery_NoParameterRepeated()
    {
        string payload = """{"taskHubName":"Hub","connectionName":null,"httpBaseUrl":"http://localhost:7071/runtime/webhooks/durabletask","requiredQueryStringParameters":"taskHub=Hub&connection=Storage&code=k"}""";
        DurableClient hostClient = DurableClient.FromBindingPayload(payload, this.http);

        string url = hostClient.CreateCheckStatusPayload(new Uri("http://localhost:7071/api/x"), "i").StatusQueryGetUri;

        Assert.Equal("http://localhost:7071/runtime/webhooks/durabletask/instances/i?taskHub=Hub&connection=Storage&code=k", url);
    }

    [Fact]
    public async Task FromBindingPayload_OldExtensionWithoutHttpBaseUrl_UsesHostBaseUri()
    {
        string payload = """{"taskHubName":"TestHub","connectionName":"Storage","rpcBaseUrl":"http://localhost:4001","requiredQueryStringParameters":""}""";
        DurableClient old = DurableClient.FromBindingPayload(payload, this.http, this.server.BaseAddress);
        this.server.Add("x", "Hello", "Completed", DateTimeOffset.UtcNow);

        OrchestrationStatus? status = await old.GetStatusAsync("x");

        Assert.Equal(OrchestrationRuntimeStatus.Completed, status!.RuntimeStatus);
        Assert.Equal(new Uri(this.server.BaseAddress, "/runtime/webhooks/durabletask"), old.Options.BaseUri);
        Assert.Equal("Storage", old.Options.ConnectionName);
    }

    [Fact]
    public void FromBindingPayload_NoBaseAtAll_ThrowsArgumentExceptionNamingHttpBaseUrl()
    {
        using var bare = new HttpClient();

        var error = Assert.Throws<ArgumentException>(() => DurableClient.FromBindingPayload("""{"taskHubName":"h"}""", bare));

        Assert.Contains("httpBaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"Completed\"", OrchestrationRuntimeStatus.Completed)]
    [InlineData("\"continuedAsNew\"", OrchestrationRuntimeStatus.ContinuedAsNew)]
    [InlineData("3", OrchestrationRuntimeStatus.Failed)]
    [InlineData("-1", OrchestrationRuntimeStatus.Unknown)]
    [InlineData("\"Weird\"", OrchestrationRuntimeStatus.Unknown)]
    public void Parse_RuntimeStatusVariants_AreTolerated(string value, OrchestrationRuntimeStatus expected)
    {
        using JsonDocument document = JsonDocument.Parse($$"""{"InstanceId":"a","RuntimeStatus":{{value}},"extraField":true}""");

        Assert.Equal(expected, OrchestrationStatus.Parse(document.RootElement).RuntimeStatus);
    }
}
