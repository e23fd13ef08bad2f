using Mlops.Durable.Protocol;
using Mlops.Durable.Tests.Infrastructure;
using ActionCase = Mlops.Durable.Protocol.OrchestratorAction.OrchestratorActionTypeOneofCase;
using EventCase = Mlops.Durable.Protocol.HistoryEvent.EventTypeOneofCase;
using ProtoStatus = Mlops.Durable.Protocol.OrchestrationStatus;

namespace Mlops.Durable.Tests;

/// <summary>
/// The replay property over histories the backend produced with random completion orders, random
/// activity failures, events, timers, sub-orchestrations, suspension and continue-as-new: replaying any
/// prefix that ends where an episode's recorded actions begin (or anywhere inside them) yields exactly
/// the actions the history records next, and replaying a finished history yields none.
/// </summary>
public sealed class ReplayPropertyTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (int seed = 1; seed <= 12; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Replay_EveryPrefixOfRandomHistories_YieldsExactlyTheRecordedNextActions(int seed)
    {
        int checkedCuts = 0;
        foreach (TestBackend backend in RunRandomScenarios(seed))
        {
            foreach (TestInstance instance in backend.Instances.Values)
            {
                var executions = instance.PreviousExecutions.Select(x => (x.History, x.Episodes, Finished: true))
                    .Append((instance.History, instance.Episodes, Finished: instance.IsTerminal));
                foreach ((List<HistoryEvent> history, List<EpisodeRecord> episodes, bool finished) in executions)
                {
                    foreach (EpisodeRecord episode in episodes)
                    {
                        for (int cut = episode.NewEnd; cut <= episode.ActionsEnd; cut++)
                        {
                            OrchestratorResponse response = Replay(instance.Id, history.Take(cut));
                            AssertActionsMatch(history.Skip(cut).Take(episode.ActionsEnd - cut).ToList(), response, $"seed {seed}, {instance.Name} '{instance.Id}', cut {cut}");
                            checkedCuts++;
                        }
                    }

                    if (finished)
                    {
                        Assert.Empty(Replay(instance.Id, history).Actions);
                    }
                }
            }
        }

        Assert.True(checkedCuts > 50, $"only {checkedCuts} cuts were checked");
    }

    internal static IEnumerable<TestBackend> RunRandomScenarios(int seed)
    {
        var random = new Random(seed);
        TestBackend New(double failureRate = 0) => new(Orchestrations.Registry())
        {
            Shuffle = new Random(random.Next()),
            FailActivity = failureRate == 0 ? null : _ => random.NextDouble() < failureRate,
        };

        TestBackend backend = New();
        backend.Start("FanOut", random.Next(1, 30));
        backend.RunUntilIdle();
        yield return backend;

        backend = New(failureRate: 0.3);
        backend.Start("Mixed", random.Next(1, 8));
        backend.RunUntilIdle();
        yield return backend;

        backend = New(failureRate: 0.4);
        backend.Start("Retry", random.Next(1, 100));
        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("FirstOf", random.Next(1, 6));
        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("Parent", random.Next(2) == 0 ? "fail" : "Oslo");
        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("ApprovalWithTimeout", 1);
        if (random.Next(2) == 0)
        {
            backend.RunUntilIdle(fireTimers: false);
            backend.RaiseEvent("abc", "approval", random.Next(2) == 0);
        }

        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("Counter", 0);
        for (int i = 0; i < 5; i++)
        {
            backend.RaiseEvent("abc", "add", random.Next(1, 5));
            if (random.Next(2) == 0)
            {
                backend.RunUntilIdle();
            }
        }

        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("Chain", Enumerable.Range(0, random.Next(1, 5)).Select(i => $"city{i}").ToArray());
        backend.RunUntilIdle(runActivities: false);
        backend.Suspend("abc", "pause");
        backend.RunUntilIdle(runActivities: false);
        backend.RunActivities();
        backend.RunUntilIdle(runActivities: false);
        backend.Resume("abc", "go");
        if (random.Next(2) == 0)
        {
            backend.Terminate("abc", "stop");
        }

        backend.RunUntilIdle();
        yield return backend;

        backend = New();
        backend.Start("Guids", "x");
        backend.RunUntilIdle();
        yield return backend;
    }

    private static OrchestratorResponse Replay(string instanceId, IEnumerable<HistoryEvent> past) =>
        OrchestrationRunner.Run(Events.Request(past, [], instanceId), Orchestrations.Registry());

    private static void AssertActionsMatch(List<HistoryEvent> recorded, OrchestratorResponse response, string where)
    {
        Assert.True(recorded.Count == response.Actions.Count, $"{where}: expected {recorded.Count} actions, got {response.Actions.Count}: {response}");
        for (int i = 0; i < recorded.Count; i++)
        {
            HistoryEvent e = recorded[i];
            OrchestratorAction a = response.Actions[i];
            Assert.True(e.EventId == a.Id, $"{where}: action {i} has id {a.Id}, history says {e.EventId}");
            bool same = (e.EventTypeCase, a.OrchestratorActionTypeCase) switch
            {
                (EventCase.TaskScheduled, ActionCase.ScheduleTask) => e.TaskScheduled.Name == a.ScheduleTask.Name,
                (EventCase.TimerCreated, ActionCase.CreateTimer) => e.TimerCreated.FireAt.Equals(a.CreateTimer.FireAt),
                (EventCase.SubOrchestrationInstanceCreated, ActionCase.CreateSubOrchestration) =>
                    e.SubOrchestrationInstanceCreated.Name == a.CreateSubOrchestration.Name && e.SubOrchestrationInstanceCreated.InstanceId == a.CreateSubOrchestration.InstanceId,
                (EventCase.EventSent, ActionCase.SendEvent) => e.EventSent.Name == a.SendEvent.Name && e.EventSent.InstanceId == a.SendEvent.Instance.InstanceId,
                (EventCase.ExecutionCompleted, ActionCase.CompleteOrchestration) =>
                    e.ExecutionCompleted.OrchestrationStatus == a.CompleteOrchestration.OrchestrationStatus && e.ExecutionCompleted.Result == a.CompleteOrchestration.Result,
                (EventCase.ContinueAsNew, ActionCase.CompleteOrchestration) =>
                    a.CompleteOrchestration.OrchestrationStatus == ProtoStatus.ContinuedAsNew && e.ContinueAsNew.Input == a.CompleteOrchestration.Result,
                _ => false,
            };
            Assert.True(same, $"{where}: action {a} does not match recorded {e}");
        }
    }
}
