using Microsoft.DurableTask;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>The orchestrators and activities the tests run, written on Microsoft's SDK as an app would.</summary>
internal static class Scenarios
{
    public static SdkInvoker Register(SdkInvoker invoker)
    {
        var flakyAttempts = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        return invoker
            .Activity<string, string>("Hello", name => Task.FromResult($"Hello {name}!"))
            .Activity<int, int>("Square", x => Task.FromResult(x * x))
            .Activity<string, string>("Boom", _ => throw new InvalidOperationException("kaboom"))
            .Activity<string, string>("Flaky", (input, instanceId, _) =>
            {
                // Fails twice per instance, then succeeds: a retry policy of 3 attempts gets through.
                var attempt = flakyAttempts.AddOrUpdate(instanceId, 1, (_, n) => n + 1);
                return attempt < 3 ? throw new TimeoutException($"attempt {attempt}") : Task.FromResult($"ok after {attempt}");
            })
            .Orchestrator<string[], List<string>>("Chain", async (ctx, names) =>
            {
                var results = new List<string>();
                foreach (var name in names ?? [])
                {
                    results.Add(await ctx.CallActivityAsync<string>("Hello", name));
                }

                return results;
            })
            .Orchestrator<int, int>("FanOut", async (ctx, n) =>
            {
                var tasks = Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)).ToList();
                return (await Task.WhenAll(tasks)).Sum();
            })
            .Orchestrator<object?, double>("Timer", async (ctx, _) =>
            {
                // Replay-safe clock: how long after the timer's creation its episode ran.
                var before = ctx.CurrentUtcDateTime;
                await ctx.CreateTimer(before.AddSeconds(3), CancellationToken.None);
                return (ctx.CurrentUtcDateTime - before).TotalSeconds;
            })
            .Orchestrator<object?, string>("WaitEvent", async (ctx, _) =>
            {
                ctx.SetCustomStatus("waiting");
                var value = await ctx.WaitForExternalEvent<string>("Approval");
                return "approved: " + value;
            })
            .Orchestrator<string[], List<string>>("Parent", async (ctx, names) =>
                await ctx.CallSubOrchestratorAsync<List<string>>("Chain", names))
            .Orchestrator<object?, string>("Retry", async (ctx, _) =>
                await ctx.CallActivityAsync<string>("Flaky", null, TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(100)))))
            .Orchestrator<object?, string>("CatchFailure", async (ctx, _) =>
            {
                try
                {
                    await ctx.CallActivityAsync<string>("Boom", "x");
                    return "no failure";
                }
                catch (TaskFailedException ex)
                {
                    return $"{ex.FailureDetails.ErrorType}|{ex.FailureDetails.ErrorMessage}";
                }
            })
            .Orchestrator<object?, string>("Uncaught", async (ctx, _) => await ctx.CallActivityAsync<string>("Boom", "x"))
            .Orchestrator<object?, string>("CallsMissing", async (ctx, _) => await ctx.CallActivityAsync<string>("Missing", "x"))
            .Orchestrator<int, int>("Counter", async (ctx, n) =>
            {
                if (n < 3)
                {
                    await ctx.CallActivityAsync<int>("Square", n);
                    ctx.ContinueAsNew(n + 1);
                    return -1;
                }

                return n;
            })
            .Orchestrator<object?, string>("Loop", async (ctx, _) =>
            {
                // Waits for "Stop", then runs one activity: used for suspend/resume and terminate.
                ctx.SetCustomStatus("waiting for stop");
                var reason = await ctx.WaitForExternalEvent<string>("Stop");
                await ctx.CallActivityAsync<int>("Square", 2);
                return "stopped: " + reason;
            });
    }
}
