using Mlops.Catalog.Runs;
using Mlops.Pipeline.Monitoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Monitoring;

[Collection(MonitoringAzurite.Name)]
public sealed class ScheduledRetrainTests(AzuriteFixture azurite)
{
    // Daily at 03:00 UTC; retrain only when 100 new rows arrived.
    private const string Spec = """{"target":"weather","task":"multiclass","ignore":["date"],"retrain":{"schedule":"0 0 3 * * *","minNewRows":100}}""";

    private static readonly List<string[]> Winters = Seattle.Rows((_, m) => Seattle.Winter(m));

    [Fact]
    public async Task CheckScheduleAsync_OccurrenceDueWithoutNewRows_SkipsAndSaysWhy()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        await bed.RegisterProductionAsync(await bed.AddDatasetAsync(Winters, "winter.csv"));
        bed.Clock.Now = new DateTimeOffset(2026, 6, 2, 3, 5, 0, TimeSpan.Zero);

        var outcome = await bed.Service.CheckScheduleAsync(bed.Project, bed.Starter, default);

        Assert.Equal("skipped", outcome.Outcome);
        Assert.Contains("only 0 new rows", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("minNewRows is 100", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(bed.Starter.Started);
        Assert.Equal(outcome, (await bed.Store.ListNotesAsync(bed.Project, default)).Single(n => n.Check == "schedule"));
    }

    [Fact]
    public async Task CheckScheduleAsync_OccurrenceDueWithNewRows_StartsOneRunPerOccurrence()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var first = await bed.AddDatasetAsync(Winters, "winter.csv");
        await bed.RegisterProductionAsync(first);
        bed.Clock.Now = MonitoringTestBed.T0.AddHours(2);
        var added = await bed.AddDatasetAsync(Seattle.Rows((y, m) => Seattle.Summer(m) && y >= 2014), "summer-2014-2015.csv");
        bed.Clock.Now = new DateTimeOffset(2026, 6, 2, 3, 5, 0, TimeSpan.Zero);

        var due = await bed.Service.CheckScheduleAsync(bed.Project, bed.Starter, default);
        bed.Clock.Now = bed.Clock.Now.AddMinutes(5);
        var after = await bed.Service.CheckScheduleAsync(bed.Project, bed.Starter, default);

        Assert.Equal(("due", true), (due.Outcome, due.RunStarted));
        Assert.Equal($"{bed.Project}-schedule-202606020300", due.RunId);
        var run = Assert.Single(bed.Starter.Started);
        Assert.Equal((RunTrigger.Schedule, "2026-06-02T03:00:00Z"), (run.Trigger, run.TriggerReference));
        Assert.Equal([first.Sha256, added.Sha256], run.DatasetVersions);
        Assert.Equal("skipped", after.Outcome);
        Assert.Contains("No occurrence", after.Reason, StringComparison.Ordinal);
        Assert.Single(await bed.RunsAsync(RunTrigger.Schedule));
    }
}
