using Google.Protobuf;
using Mlops.Durable.Protocol;
using Mlops.Durable.Tests.Infrastructure;
using Mlops.Testing;
using ProtoStatus = Mlops.Durable.Protocol.OrchestrationStatus;

namespace Mlops.Durable.Tests;

/// <summary>
/// Replay tests from checked-in history files (Histories/*.json, each an OrchestratorRequest in protobuf
/// JSON whose pastEvents is one whole execution). Set MLOPS_REGENERATE_HISTORIES=1 to rewrite them.
/// </summary>
public sealed class HistoryFileTests
{
    public static TheoryData<string> CompletedHistories() => new(Recordings().Keys.Where(name => name != NonDeterministicFile));

    private const string NonDeterministicFile = "nondeterministic-greet.json";

    [Theory]
    [MemberData(nameof(CompletedHistories))]
    public void Replay_CheckedInCompletedHistory_YieldsNoActions(string file)
    {
        OrchestratorRequest request = Load(file);

        OrchestratorResponse response = OrchestrationRunner.Run(request, Orchestrations.Registry());

        Assert.Empty(response.Actions);
    }

    [Theory]
    [MemberData(nameof(CompletedHistories))]
    public void Record_SameOrchestrationToday_ProducesTheCheckedInHistory(string file)
    {
        string recorded = Format(Recordings()[file]());

        if (Environment.GetEnvironmentVariable("MLOPS_REGENERATE_HISTORIES") == "1")
        {
            File.WriteAllText(Path.Combine(RepoPaths.Root, "tests", "Mlops.Durable.Tests", "Histories", file), recorded);
        }

        Assert.Equal(File.ReadAllText(PathOf(file)), recorded);
    }

    [Fact]
    public void Replay_HistoryRecordedBeforeActivityRename_FailsAsNonDeterministic()
    {
        if (Environment.GetEnvironmentVariable("MLOPS_REGENERATE_HISTORIES") == "1")
        {
            File.WriteAllText(Path.Combine(RepoPaths.Root, "tests", "Mlops.Durable.Tests", "Histories", NonDeterministicFile), Format(Recordings()[NonDeterministicFile]()));
        }

        OrchestratorRequest request = Load(NonDeterministicFile);
        request.NewEvents.Add(Events.OrchestratorStarted(request.PastEvents[^1].Timestamp.ToDateTime().AddSeconds(1)));

        // Today's "Greet" calls SayGoodbye where the recorded one called SayHello.
        var today = new DurableFunctionRegistry().AddOrchestrator<string, string>("Greet", async (context, name) =>
            await context.CallActivityAsync<string>("SayGoodbye", name));
        OrchestratorResponse response = OrchestrationRunner.Run(request, today);

        CompleteOrchestrationAction complete = Assert.Single(response.Actions).CompleteOrchestration;
        Assert.Equal(ProtoStatus.Failed, complete.OrchestrationStatus);
        Assert.Equal(typeof(NonDeterministicOrchestrationException).FullName, complete.FailureDetails.ErrorType);
        Assert.Contains("'SayHello'", complete.FailureDetails.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("'SayGoodbye'", complete.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    private static Dictionary<string, Func<OrchestratorRequest>> Recordings() => new()
    {
        ["chain.json"] = () => Record(b => b.Start("Chain", new[] { "Tokyo", "Seattle", "London" })),
        ["fanout-10.json"] = () => Record(b => b.Start("FanOut", 10)),
        ["retry-then-success.json"] = () =>
        {
            int calls = 0;
            return Record(b => b.Start("Retry", 6), fail: _ => ++calls <= 2);
        },
        ["approval-timeout.json"] = () => Record(b => b.Start("ApprovalWithTimeout", 1)),
        ["parent-child.json"] = () => Record(b => b.Start("Parent", "Oslo")),
        ["mixed.json"] = () => Record(b => b.Start("Mixed", 3)),
        [NonDeterministicFile] = () =>
        {
            var yesterday = new DurableFunctionRegistry().AddOrchestrator<string, string>("Greet", async (context, name) =>
                await context.CallActivityAsync<string>("SayHello", name));
            yesterday.AddActivity<string, string>("SayHello", (context, name) => $"Hello {name}!");
            var backend = new TestBackend(yesterday);
            backend.Start("Greet", "Ann");
            backend.RunUntilIdle(runActivities: false); // recorded while the activity was still running
            return Events.Request(backend["abc"].History, []);
        },
    };

    private static OrchestratorRequest Record(Action<TestBackend> start, Func<ActivityWorkItem, bool>? fail = null)
    {
        var backend = new TestBackend(Orchestrations.Registry()) { FailActivity = fail };
        start(backend);
        backend.RunUntilIdle();
        Assert.True(backend["abc"].IsTerminal);
        return Events.Request(backend["abc"].History, []);
    }

    private static string Format(OrchestratorRequest request) =>
        new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation()).Format(request) + "\n";

    private static OrchestratorRequest Load(string file) => OrchestratorRequest.Parser.ParseJson(File.ReadAllText(PathOf(file)));

    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Histories", file);
}
