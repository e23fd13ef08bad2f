using System.Net;
using System.Text;

namespace Mlops.WorkerHost.Tests;

/// <summary>HTTP triggers through the host to Microsoft's worker with ASP.NET Core integration (the proxy path).</summary>
public sealed class HttpTriggerTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Get_DefaultRouteWithQuery_ReturnsWorkerResult()
    {
        using var response = await fixture.Http.GetAsync("api/Hello?name=Ada");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello, Ada", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/items/5/red", "item 5 red")]
    [InlineData("api/items/7", "item 7 none")]
    [InlineData("api/files/a/b/c.txt", "path a/b/c.txt")]
    public async Task Get_TemplateWithConstraintOptionalCatchAll_RoutesToFunction(string path, string expected)
    {
        using var response = await fixture.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_ConstraintNotMet_Returns404()
    {
        using var response = await fixture.Http.GetAsync("api/items/abc");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_MethodNotInMetadata_IsNotServed()
    {
        using var response = await fixture.Http.GetAsync("api/Echo");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Post_Body_ForwardedVerbatimWithWorkerStatus()
    {
        var body = string.Concat(Enumerable.Repeat("0123456789", 10_000));
        using var response = await fixture.Http.PostAsync("api/Echo", new StringContent(body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_Concurrent_AllServed()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => fixture.Http.GetStringAsync($"api/Hello?name=n{i}")));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"Hello, n{i}"), responses);
    }

    [Fact]
    public async Task Get_FunctionThrows_ConsoleShowsFailedInvocation()
    {
        using var response = await fixture.Http.GetAsync("api/Fail");
        await TestSupport.WaitForAsync(() => Task.FromResult(fixture.Output.ToString().Contains("Executed 'Functions.Fail' (Failed", StringComparison.Ordinal)), "the Failed line");
        Assert.Contains("boom from Fail", fixture.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Console_ListsFunctionsWithUrls()
    {
        var output = fixture.Output.ToString();
        Assert.Contains($"Hello: [GET,POST] {fixture.Host.BaseUri}api/Hello", output, StringComparison.Ordinal);
        Assert.Contains($"Item: [GET] {fixture.Host.BaseUri}api/items/{{id:int}}/{{kind?}}", output, StringComparison.Ordinal);
        Assert.Contains("QueueWork: queueTrigger", output, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Get_WorkerLog_ShownOnConsole()
    {
        await fixture.Http.GetStringAsync("api/Hello");
        await TestSupport.WaitForAsync(() => Task.FromResult(fixture.Output.ToString().Contains("hello from the worker", StringComparison.Ordinal)), "the worker's log line");
    }
}
