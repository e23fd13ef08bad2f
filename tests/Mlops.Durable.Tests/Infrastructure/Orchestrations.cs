namespace Mlops.Durable.Tests.Infrastructure;

/// <summary>The sample orchestrations the scenario, property and history-file tests run.</summary>
internal static class Orchestrations
{
    public static readonly RetryPolicy ThreeAttempts = new(3, TimeSpan.FromSeconds(10), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(15));

    public static DurableFunctionRegistry Registry()
    {
        var registry = new DurableFunctionRegistry();
        registry.AddActivity<string, string>("SayHello", (context, city) => $"Hello {city}!");
        registry.AddActivity<int, int>("Square", (context, x) => x * x);
        registry.AddActivity<int, int>("Fail", int (ActivityContext context, int x) => throw new InvalidOperationException($"failure for {x}"));

        registry.AddOrchestrator<string[], List<string>>("Chain", async (context, cities) =>
        {
            var greetings = new List<string>();
            foreach (string city in cities)
            {
                context.SetCustomStatus(new { step = greetings.Count, city });
                greetings.Add(await context.CallActivityAsync<string>("SayHello", city));
            }

            return greetings;
        });

        registry.AddOrchestrator<int, long>("FanOut", async (context, n) =>
        {
            int[] squares = await Task.WhenAll(Enumerable.Range(1, n).Select(i => context.CallActivityAsync<int>("Square", i)));
            return squares.Sum(x => (long)x);
        });

        registry.AddOrchestrator<int, string>("FirstOf", async (context, n) =>
        {
            Task<int> first = await Task.WhenAny(Enumerable.Range(1, n).Select(i => context.CallActivityAsync<int>("Square", i)));
            return $"first={await first}";
        });

        registry.AddOrchestrator<int, string>("Sleep", async (context, minutes) =>
        {
            DateTime started = context.CurrentUtcDateTime;
            await context.CreateTimer(TimeSpan.FromMinutes(minutes), CancellationToken.None);
            return $"{(context.CurrentUtcDateTime - started).TotalMinutes:0}";
        });

        registry.AddOrchestrator<string, string>("Approval", async (context, who) =>
        {
            context.SetCustomStatus("waiting");
            bool approved = await context.WaitForExternalEvent<bool>("Approval");
            context.SetCustomStatus("decided");
            return approved ? $"{who} approved" : $"{who} rejected";
        });

        registry.AddOrchestrator<int, string>("ApprovalWithTimeout", async (context, hours) =>
        {
            try
            {
                bool approved = await context.WaitForExternalEvent<bool>("Approval", TimeSpan.FromHours(hours));
                return approved ? "approved" : "rejected";
            }
            catch (TimeoutException)
            {
                return "timed out";
            }
        });

        registry.AddOrchestrator<string, string>("Parent", async (context, city) =>
        {
            try
            {
                string greeting = await context.CallSubOrchestratorAsync<string>("Child", city);
                return "child said: " + greeting;
            }
            catch (TaskFailedException failed)
            {
                return $"child failed: {failed.FailureDetails.ErrorType} / {failed.FailureDetails.InnerFailure?.ErrorType}";
            }
        });
        registry.AddOrchestrator<string, string>("Child", async (context, city) =>
            city == "fail" ? throw new InvalidOperationException("child cannot greet 'fail'") : await context.CallActivityAsync<string>("SayHello", city));
        registry.AddOrchestrator<string, string>("UnhandledChild", (context, city) => context.CallSubOrchestratorAsync<string>("Child", city));

        registry.AddOrchestrator<int, int>("Retry", (context, x) => context.CallActivityAsync<int>("Square", x, new TaskOptions(ThreeAttempts)));

        registry.AddOrchestrator<int, int>("Counter", async (context, total) =>
        {
            int add = await context.WaitForExternalEvent<int>("add");
            total += add;
            if (total < 10)
            {
                context.ContinueAsNew(total);
            }

            return total;
        });

        registry.AddOrchestrator<string, string[]>("Guids", async (context, _) =>
        {
            Guid a = context.NewGuid();
            await context.CallActivityAsync<string>("SayHello", a.ToString());
            Guid b = context.NewGuid();
            Guid c = context.NewGuid();
            return [a.ToString(), b.ToString(), c.ToString()];
        });

        registry.AddOrchestrator<int, string>("Mixed", async (context, n) =>
        {
            var tasks = new List<Task<int>>();
            for (int i = 1; i <= n; i++)
            {
                tasks.Add(context.CallActivityAsync<int>("Square", i, new TaskOptions(ThreeAttempts)));
            }

            int[] squares = await Task.WhenAll(tasks);
            await context.CreateTimer(TimeSpan.FromMinutes(1), CancellationToken.None);
            string child = await context.CallSubOrchestratorAsync<string>("Child", "Oslo");
            context.SendEvent("other", "ping", squares.Sum());
            return $"{squares.Sum()} {child}";
        });
        return registry;
    }
}
