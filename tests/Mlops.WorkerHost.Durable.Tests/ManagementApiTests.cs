using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>The HTTP management API under <c>/runtime/webhooks/durabletask</c>, against the real engine.</summary>
public sealed partial class ManagementApiTests(SharedEngineFixture fixture) : IClassFixture<SharedEngineFixture>
{
    private const string Base = "runtime/webhooks/durabletask/";

    private HttpClient Http => fixture.Harness.Http;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex StatusTime();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<string> StartAsync(string function, string body, string? instanceId = null)
    {
        using var response = await Http.PostAsync($"{Base}orchestrators/{function}{(instanceId is null ? "" : "/" + instanceId)}", Json(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var payload = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(payload["statusQueryGetUri"]!.GetValue<string>(), response.Headers.Location!.ToString());
        return payload["id"]!.GetValue<string>();
    }

    private async Task<(HttpStatusCode Code, JsonObject? Body, HttpResponseMessage Response)> StatusAsync(string id, string query = "")
    {
        var response = await Http.GetAsync($"{Base}instances/{id}{query}");
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject, response);
    }

    private Task<(HttpStatusCode Code, JsonObject? Body, HttpResponseMessage Response)> FinishedAsync(string id, string query = "") =>
        Wait.UntilAsync(() => StatusAsync(id, query), r => r.Code != HttpStatusCode.Accepted, TimeSpan.FromSeconds(60), $"instance {id} to finish");

    [Fact]
    public async Task StartOrchestrator_ThenPollStatus_Returns202Then200WithOutput()
    {
        var id = await StartAsync("Chain", """["Paris"]""");

        var (code, body, _) = await FinishedAsync(id);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Chain", body!["name"]!.GetValue<string>());
        Assert.Equal(id, body["instanceId"]!.GetValue<string>());
        Assert.Equal("Completed", body["runtimeStatus"]!.GetValue<string>());
        Assert.Equal("""["Paris"]""", body["input"]!.ToJsonString());
        Assert.Equal("""["Hello Paris!"]""", body["output"]!.ToJsonString());
        Assert.Matches(StatusTime(), body["createdTime"]!.GetValue<string>());
        Assert.Matches(StatusTime(), body["lastUpdatedTime"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetStatus_RunningInstance_Returns202WithLocationAndRetryAfter()
    {
        var id = await StartAsync("WaitEvent", "");

        var (code, body, response) = await StatusAsync(id);

        Assert.Equal(HttpStatusCode.Accepted, code);
        Assert.Contains(body!["runtimeStatus"]!.GetValue<string>(), new[] { "Pending", "Running" });
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.EndsWith($"/instances/{id}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await Http.PostAsync($"{Base}instances/{id}/terminate?reason=done", null)).StatusCode);
    }

    [Fact]
    public async Task GetStatus_UnknownInstance_Returns404()
    {
        var (code, _, _) = await StatusAsync("nope-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(HttpStatusCode.NotFound, code);
    }

    [Fact]
    public async Task GetStatus_FailedWithReturnInternalServerErrorOnFailure_Returns500()
    {
        var id = await StartAsync("Uncaught", "");
        await FinishedAsync(id);

        var (plain, _, _) = await StatusAsync(id);
        var (strict, body, _) = await StatusAsync(id, "?returnInternalServerErrorOnFailure=true");

        Assert.Equal(HttpStatusCode.OK, plain);
        Assert.Equal(HttpStatusCode.InternalServerError, strict);
        Assert.Equal("Failed", body!["runtimeStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetStatus_ShowHistory_ListsActivitiesWithNamesAndResults()
    {
        var id = await StartAsync("Chain", """["A","B"]""");
        await FinishedAsync(id);

        var (_, body, _) = await StatusAsync(id, "?showHistory=true&showHistoryOutput=true");

        var events = body!["historyEvents"]!.AsArray().Select(e => e!.AsObject()).ToList();
        Assert.Equal("ExecutionStarted", events[0]["EventType"]!.GetValue<string>());
        var completed = events.Where(e => e["EventType"]!.GetValue<string>() == "TaskCompleted").ToList();
        Assert.Equal(2, completed.Count);
        Assert.All(completed, e => Assert.Equal("Hello", e["FunctionName"]!.GetValue<string>()));
        Assert.Equal("Hello A!", completed[0]["Result"]!.GetValue<string>());
        Assert.Equal("ExecutionCompleted", events[^1]["EventType"]!.GetValue<string>());
    }

    [Fact]
    public async Task RaiseEvent_WaitingThenFinished_Returns202Then410()
    {
        var id = await StartAsync("WaitEvent", "");

        using var first = await Http.PostAsync($"{Base}instances/{id}/raiseEvent/Approval", Json("\"ok\""));
        var (_, body, _) = await FinishedAsync(id);
        using var second = await Http.PostAsync($"{Base}instances/{id}/raiseEvent/Approval", Json("\"late\""));
        using var unknown = await Http.PostAsync($"{Base}instances/nope-{Guid.NewGuid():N}/raiseEvent/Approval", Json("1"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("approved: ok", body!["output"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Gone, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task SuspendResumeTerminate_RunningInstance_ChangeStatusWithExpectedCodes()
    {
        var id = await StartAsync("Loop", "");

        using var suspend = await Http.PostAsync($"{Base}instances/{id}/suspend?reason=pause", null);
        await Wait.UntilAsync(() => StatusAsync(id), r => r.Body?["runtimeStatus"]?.GetValue<string>() == "Suspended", TimeSpan.FromSeconds(30), "Suspended");
        using var resume = await Http.PostAsync($"{Base}instances/{id}/resume?reason=go", null);
        await Wait.UntilAsync(() => StatusAsync(id), r => r.Body?["runtimeStatus"]?.GetValue<string>() == "Running", TimeSpan.FromSeconds(30), "Running");
        using var terminate = await Http.PostAsync($"{Base}instances/{id}/terminate?reason=bye", null);
        var (code, body, _) = await FinishedAsync(id);
        using var again = await Http.PostAsync($"{Base}instances/{id}/terminate?reason=bye", null);
        using var unknown = await Http.PostAsync($"{Base}instances/nope-{Guid.NewGuid():N}/suspend", null);

        Assert.Equal(HttpStatusCode.Accepted, suspend.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, resume.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Terminated", body!["runtimeStatus"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ListAndPurge_ByPrefixAndCreatedTime_FindThenDeleteInstances()
    {
        var prefix = "h" + Guid.NewGuid().ToString("N")[..8] + "-";
        var from = DateTime.UtcNow.AddMinutes(-1).ToString("o");
        var ids = new List<string>();
        foreach (var i in Enumerable.Range(0, 2))
        {
            ids.Add(await StartAsync("Chain", """["x"]""", prefix + i));
        }

        foreach (var id in ids)
        {
            await FinishedAsync(id);
        }

        var list = await Http.GetFromJsonAsync<JsonArray>($"{Base}instances?instanceIdPrefix={prefix}&runtimeStatus=Completed&createdTimeFrom={Uri.EscapeDataString(from)}");
        using var purgeOne = await Http.DeleteAsync($"{Base}instances/{ids[0]}");
        using var purgeOneAgain = await Http.DeleteAsync($"{Base}instances/{ids[0]}");
        var (after, _, _) = await StatusAsync(ids[0]);

        Assert.Equal(ids, list!.Select(e => e!["instanceId"]!.GetValue<string>()).Order());
        Assert.Equal(HttpStatusCode.OK, purgeOne.StatusCode);
        Assert.Equal(1, (await purgeOne.Content.ReadFromJsonAsync<JsonObject>())!["instancesDeleted"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, purgeOneAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after);
    }

    [Fact]
    public async Task StartOrchestrator_UnknownFunction_Returns400()
    {
        using var response = await Http.PostAsync($"{Base}orchestrators/NoSuchFunction", Json("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task StartOrchestrator_DuplicateRunningId_Returns500WithAlreadyExists()
    {
        var id = "hdup-" + Guid.NewGuid().ToString("N");
        await StartAsync("WaitEvent", "", id);

        using var response = await Http.PostAsync($"{Base}orchestrators/WaitEvent/{id}", Json(""));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("OrchestrationAlreadyExistsException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Http.PostAsync($"{Base}instances/{id}/terminate", null);
    }
}
