using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Testing;

namespace Mlops.Catalog.Tests.Runs;

[Collection(AzuriteCollection.Name)]
public sealed class RunTrackerTests(AzuriteFixture azurite)
{
    private readonly CatalogServices _catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);

    private RunTracker Runs => _catalog.Runs;

    private NewRun NewRun(string project, string runId) => new(runId, project, new RunLineage
    {
        DatasetSha256 = Samples.Sha(project),
        DatasetVersion = 3,
        SpecVersion = 2,
        CodeVersion = "abc1234",
        PackageVersions = new Dictionary<string, string> { ["Microsoft.ML"] = "5.0.1" },
        InstanceId = "orch-" + runId,
        Trigger = RunTrigger.Drift,
        TriggerReference = "drift-report-9",
    });

    private async Task RecordWholeRunAsync(string runId, string project)
    {
        var t0 = DateTimeOffset.Parse("2025-01-01T00:00:00Z");
        await Runs.StartAsync(NewRun(project, runId));
        await Runs.SetStatusAsync(runId, RunStatus.Running);
        await Runs.LogParamsAsync(runId, "split", new Dictionary<string, string> { ["holdoutFraction"] = "0.2", ["seed"] = "42" });
        await Runs.LogStageAsync(runId, new StageTiming("validate", t0, t0.AddSeconds(2), RunStatus.Succeeded));
        await Runs.LogStageAsync(runId, new StageTiming("train", t0.AddSeconds(2), t0.AddSeconds(30), RunStatus.Succeeded, Detail: "2/2 candidates"));
        await Runs.LogCandidateAsync(runId, new CandidateResult("lightgbm-01", "lightgbm", new Dictionary<string, string> { ["leaves"] = "31" }, new Dictionary<string, double> { ["macroF1"] = 0.6 }, 3.5));
        await Runs.LogCandidateAsync(runId, new CandidateResult("sdca-01", "sdca", new Dictionary<string, string>(), new Dictionary<string, double> { ["macroF1"] = 0.5 }, 1.5));
        await Runs.SetBestAsync(runId, "lightgbm-01", new Dictionary<string, double> { ["macroF1"] = 0.6 });
        await Runs.LinkModelAsync(runId, new RunModelLink(project, 4, Promoted: true));
        await Runs.SetStatusAsync(runId, RunStatus.Succeeded);
    }

    [Fact]
    public async Task GetAsync_AfterWholeRun_ReturnsParamsMetricsStagesLineageAndStatus()
    {
        var project = Samples.Name("runs");
        var runId = Runs.NewRunId();

        await RecordWholeRunAsync(runId, project);
        var run = await Runs.GetAsync(runId);

        Assert.Equal((RunStatus.Succeeded, project), (run.Status, run.Project));
        Assert.NotNull(run.StartedAt);
        Assert.NotNull(run.EndedAt);
        Assert.Equal(("abc1234", RunTrigger.Drift, "drift-report-9", 2), (run.Lineage.CodeVersion, run.Lineage.Trigger, run.Lineage.TriggerReference, run.Lineage.SpecVersion));
        Assert.Equal("5.0.1", run.Lineage.PackageVersions["Microsoft.ML"]);
        Assert.Equal("42", run.Params["seed"]);
        Assert.Equal(["validate", "train"], run.Stages.Select(s => s.Name));
        Assert.Equal(TimeSpan.FromSeconds(28), run.Stages[1].Duration);
        Assert.Equal(["lightgbm-01", "sdca-01"], run.Candidates.Select(c => c.CandidateId));
        Assert.Equal(("lightgbm-01", 0.6), (run.BestCandidateId, run.Metrics["best"]["macroF1"]));
        Assert.Equal(new RunModelLink(project, 4, true), run.Model);
        Assert.Equal(runId, (await Runs.ListAsync(project)).Single().RunId);
    }

    [Fact]
    public async Task TrackingWrites_RepeatedLikeRetriedActivities_AddNoRowsAndChangeNothing()
    {
        var project = Samples.Name("repeat");
        var runId = Runs.NewRunId();
        await RecordWholeRunAsync(runId, project);
        var before = await _catalog.Account.Tables.QueryAsync("runs", runId).Select(r => r.RowKey).ToListAsync();
        var recordBefore = await Runs.GetAsync(runId);

        await RecordWholeRunAsync(runId, project);
        await Runs.SetStatusAsync(runId, RunStatus.Running);

        var after = await _catalog.Account.Tables.QueryAsync("runs", runId).Select(r => r.RowKey).ToListAsync();
        var recordAfter = await Runs.GetAsync(runId);
        Assert.Equal(before, after);
        Assert.Equal(RunStatus.Succeeded, recordAfter.Status);
        Assert.Equal(recordBefore.CreatedAt, recordAfter.CreatedAt);
        Assert.Equal(recordBefore.EndedAt, recordAfter.EndedAt);
        Assert.Equal(recordBefore.Stages.Count, recordAfter.Stages.Count);
        Assert.Single(await Runs.ListAsync(project));
    }

    [Fact]
    public async Task SetStatusAsync_ConcurrentWriters_EndsInTerminalStatus()
    {
        var runId = Runs.NewRunId();
        await Runs.StartAsync(NewRun(Samples.Name("status"), runId));

        await Task.WhenAll(
            CatalogServices.FromConnectionString(azurite.ConnectionString).Runs.SetStatusAsync(runId, RunStatus.Running),
            CatalogServices.FromConnectionString(azurite.ConnectionString).Runs.SetStatusAsync(runId, RunStatus.Failed, "boom"),
            CatalogServices.FromConnectionString(azurite.ConnectionString).Runs.SetStatusAsync(runId, RunStatus.Running));

        var run = await Runs.GetAsync(runId);
        Assert.Equal((RunStatus.Failed, "boom"), (run.Status, run.Error));
    }

    [Fact]
    public async Task LogStageAsync_UnknownRunOrBadRunId_Throws()
    {
        var missing = await Assert.ThrowsAsync<MlopsException>(() => Runs.LogStageAsync("no-such-run", new StageTiming("x", DateTimeOffset.UtcNow, null, RunStatus.Running)));
        var bad = await Assert.ThrowsAsync<MlopsException>(() => Runs.GetAsync("bad/id"));

        Assert.Equal(ErrorCode.NotFound, missing.Code);
        Assert.Equal(("runId", ErrorCode.InvalidInput), (bad.Violations[0].Field, bad.Code));
    }
}
