using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mlops.WorkerHost.TestApp;

/// <summary>Durable functions: chain, fan-out, timer, external event, sub-orchestration, retry, continue-as-new, custom status.</summary>
public static class DurableFunctions
{
    private static int s_flakyCalls;

    [Function(nameof(StartOrchestration))]
    public static async Task<HttpResponseData> StartOrchestration(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orchestrators/{name}")] HttpRequestData req,
        [DurableClient] DurableTaskClient client,
        string name)
    {
        using var reader = new StreamReader(req.Body);
        var body = await reader.ReadToEndAsync();
        var id = await client.ScheduleNewOrchestrationInstanceAsync(name, string.IsNullOrEmpty(body) ? null : body);
        return await client.CreateCheckStatusResponseAsync(req, id);
    }

    [Function(nameof(Chain))]
    public static async Task<string> Chain([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var a = await context.CallActivityAsync<string>(nameof(SayHello), "Tokyo");
        var b = await context.CallActivityAsync<string>(nameof(SayHello), "Seattle");
        context.SetCustomStatus("chained");
        return a + " " + b;
    }

    [Function(nameof(FanOut))]
    public static async Task<int> FanOut([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var tasks = Enumerable.Range(1, 5).Select(i => context.CallActivityAsync<int>(nameof(Square), i));
        return (await Task.WhenAll(tasks)).Sum();
    }

    [Function(nameof(WaitForApproval))]
    public static async Task<string> WaitForApproval([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        await context.CreateTimer(context.CurrentUtcDateTime.AddSeconds(1), CancellationToken.None);
        var approval = await context.WaitForExternalEvent<string>("Approval");
        return "approved:" + approval;
    }

    [Function(nameof(Parent))]
    public static async Task<string> Parent([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var child = await context.CallSubOrchestratorAsync<string>(nameof(Chain));
        var retried = await context.CallActivityAsync<string>(
            nameof(Flaky), "x", new TaskOptions(new TaskRetryOptions(new RetryPolicy(3, TimeSpan.FromMilliseconds(100)))));
        return child + "|" + retried;
    }

    [Function(nameof(Counter))]
    public static Task<int> Counter([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var count = context.GetInput<int>();
        if (count < 3)
        {
            context.ContinueAsNew(count + 1);
        }

        return Task.FromResult(count);
    }

    /// <summary>Input n: n <see cref="Square"/> calls one after another (bench/Mlops.WorkerHost.Durable.Bench, through the host).</summary>
    [Function(nameof(SquareChain))]
    public static async Task<int> SquareChain([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var sum = 0;
        for (var i = 1; i <= context.GetInput<int>(); i++)
        {
            sum += await context.CallActivityAsync<int>(nameof(Square), i);
        }

        return sum;
    }

    /// <summary>Input n: n <see cref="Square"/> calls at once, summed.</summary>
    [Function(nameof(SquareFanOut))]
    public static async Task<int> SquareFanOut([OrchestrationTrigger] TaskOrchestrationContext context) =>
        (await Task.WhenAll(Enumerable.Range(1, context.GetInput<int>()).Select(i => context.CallActivityAsync<int>(nameof(Square), i)))).Sum();

    [Function(nameof(SayHello))]
    public static string SayHello([ActivityTrigger] string city) => $"Hello {city}";

    [Function(nameof(Square))]
    public static int Square([ActivityTrigger] int value) => value * value;

    /// <summary>Fails on the first call in this worker process, so the orchestrator's retry policy is exercised.</summary>
    [Function(nameof(Flaky))]
    public static string Flaky([ActivityTrigger] string input) =>
        Interlocked.Increment(ref s_flakyCalls) == 1 ? throw new InvalidOperationException("flaky first call") : "ok:" + input;
}
