using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Mlops.WorkerHost.Tests;

/// <summary>Durable Functions through the host: the worker's DurableTaskClient, DTFx on Azurite, the management API.</summary>
public sealed class DurableTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private async Task<JsonObject> StartAsync(string orchestrator)
    {
        using var response = await fixture.Http.PostAsync($"api/orchestrators/{orchestrator}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var payload = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(response.Headers.Location!.ToString(), payload["StatusQueryGetUri"]!.GetValue<string>());
        return payload;
    }

    private async Task<JsonObject> CompletedAsync(JsonObject payload)
    {
        var statusUri = payload["StatusQueryGetUri"]!.GetValue<string>();
        return await TestSupport.WaitForAsync(async () =>
        {
            using var response = await fixture.Http.GetAsync(statusUri);
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject() : null;
        }, "the orchestration to finish", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Chain_HttpStarter_CompletesWithOutputCustomStatusAndPublicUrls()
    {
        var payload = await StartAsync("Chain");

        // The worker builds these from X-Forwarded-* headers: they must point at the host, not the worker's private port.
        Assert.StartsWith(new Uri(fixture.Host.BaseUri, "runtime/webhooks/durabletask/instances/").ToString(), payload["StatusQueryGetUri"]!.GetValue<string>(), StringComparison.Ordinal);
        var status = await CompletedAsync(payload);
        Assert.Equal("Completed", status["runtimeStatus"]!.GetValue<string>());
        Assert.Equal("Hello Tokyo Hello Seattle", status["output"]!.GetValue<string>());
        Assert.Equal("chained", status["customStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task FanOut_FiveActivities_SumOfSquares()
    {
        var status = await CompletedAsync(await StartAsync("FanOut"));
        Assert.Equal(55, status["output"]!.GetValue<int>());
    }

    [Fact]
    public async Task Parent_SubOrchestrationAndRetriedActivity_Completes()
    {
        var status = await CompletedAsync(await StartAsync("Parent"));
        Assert.Equal("Completed", status["runtimeStatus"]!.GetValue<string>());
        Assert.Equal("Hello Tokyo Hello Seattle|ok:x", status["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Counter_ContinueAsNew_EndsAtThree()
    {
        var status = await CompletedAsync(await StartAsync("Counter"));
        Assert.Equal(3, status["output"]!.GetValue<int>());
    }

    [Fact]
    public async Task WaitForApproval_TimerThenExternalEvent_Completes()
    {
        var payload = await StartAsync("WaitForApproval");
        var raise = payload["SendEventPostUri"]!.GetValue<string>().Replace("{eventName}", "Approval", StringComparison.Ordinal);
        using var raised = await fixture.Http.PostAsync(raise, new StringContent("\"yes\"", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, raised.StatusCode);
        var status = await CompletedAsync(payload);
        Assert.Equal("approved:yes", status["output"]!.GetValue<string>());
    }
}
