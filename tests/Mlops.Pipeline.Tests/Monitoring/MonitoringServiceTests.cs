using System.Text;
using System.Text.Json;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Monitoring;
using Mlops.Pipeline.Monitoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Monitoring;

[Collection(MonitoringAzurite.Name)]
public sealed class MonitoringServiceTests(AzuriteFixture azurite)
{
    private const string Spec = """{"target":"weather","task":"multiclass","ignore":["date"],"retrain":{"schedule":null,"cooldownMinutes":60,"qualityDropThreshold":0.1}}""";

    // Training data: the winters of 2012-2013; summer rows of every year are the shifted traffic.
    private static readonly List<string[]> TrainingWinters = Seattle.Rows((y, m) => Seattle.Winter(m) && y <= 2013);
    private static readonly List<string[]> Summers = Seattle.Rows((_, m) => Seattle.Summer(m));

    [Fact]
    public async Task CheckDriftAsync_SummerTrafficOnWinterModel_DriftOnTemperaturesAndOneRetraining()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var older = await bed.AddDatasetAsync(TrainingWinters.Take(60).ToList(), "winter-a.csv");
        var latest = await bed.AddDatasetAsync(TrainingWinters, "winter-b.csv");
        var production = await bed.RegisterProductionAsync(latest);
        await bed.LogPredictionsAsync(production.Version, Summers.Take(200).ToList(), MonitoringTestBed.T0.AddMinutes(1));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(10);

        var first = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);

        Assert.Equal("drift", first.Outcome);
        Assert.True(first.RunStarted);
        var (summary, full) = await bed.Catalog.DriftReports.GetAsync(bed.Project, first.ReportId!);
        var report = full.Deserialize<DriftReport>(MonitoringJson.Options)!;
        Assert.Contains("temp_max", summary.DriftedFeatures);
        Assert.Contains("temp_min", summary.DriftedFeatures);
        Assert.Equal(200, summary.SampleSize);
        Assert.Equal(production.CreatedAt, summary.WindowStart);
        Assert.All(report.Features.Where(f => f.Name.StartsWith("temp", StringComparison.Ordinal)), f =>
        {
            Assert.Equal(DriftVerdict.Drift, f.Verdict);
            Assert.Equal(200, f.CurrentN);
            Assert.True(f.KsPValue < 1e-10, $"{f.Name} KS p {f.KsPValue}");
        });
        var run = Assert.Single(bed.Starter.Started);
        Assert.Equal((RunTrigger.Drift, first.ReportId, first.RunId), (run.Trigger, run.TriggerReference, run.RunId));
        Assert.Equal([older.Sha256, latest.Sha256], run.DatasetVersions);

        // A later check of the same episode: a new window, drift again, the same run id, nothing started.
        await bed.LogPredictionsAsync(production.Version, Summers.Skip(200).Take(100).ToList(), MonitoringTestBed.T0.AddMinutes(11));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(25);
        var second = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);

        Assert.Equal("drift", second.Outcome);
        Assert.NotEqual(first.ReportId, second.ReportId);
        Assert.Equal(first.RunId, second.RunId);
        Assert.False(second.RunStarted);
        var secondSummary = (await bed.Catalog.DriftReports.GetAsync(bed.Project, second.ReportId!)).Summary;
        Assert.Equal((summary.WindowEnd, 100L), (secondSummary.WindowStart, secondSummary.SampleSize));
        Assert.Single(await bed.RunsAsync(RunTrigger.Drift));
    }

    [Fact]
    public async Task CheckDriftAsync_WinterTrafficOnWinterModel_NoDriftNoRun()
    {
        // The same months on both sides: every other winter day of 2012-2015 trains, the days between are the traffic.
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var winters = Seattle.Rows((_, m) => Seattle.Winter(m));
        var dataset = await bed.AddDatasetAsync(winters.Where((_, i) => i % 2 == 0).ToList(), "winter-even.csv");
        var production = await bed.RegisterProductionAsync(dataset);
        var laterWinters = winters.Where((_, i) => i % 2 == 1).ToList();
        await bed.LogPredictionsAsync(production.Version, laterWinters, MonitoringTestBed.T0.AddMinutes(1));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(20);

        var outcome = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);

        Assert.True(outcome.Outcome == "noDrift", outcome.Reason);
        Assert.Null(outcome.RunId);
        var summary = (await bed.Catalog.DriftReports.GetAsync(bed.Project, outcome.ReportId!)).Summary;
        Assert.Equal((false, laterWinters.Count), (summary.Drifted, (int)summary.SampleSize));
        Assert.Empty(bed.Starter.Started);
    }

    [Fact]
    public async Task CheckDriftAsync_TooFewRowsOrOtherVersion_SkipsSaysWhyAndStoresNoReport()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var production = await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"));
        await bed.LogPredictionsAsync(production.Version, Summers.Take(20).ToList(), MonitoringTestBed.T0.AddMinutes(1));
        await bed.LogPredictionsAsync(production.Version + 1, Summers.Skip(20).Take(100).ToList(), MonitoringTestBed.T0.AddMinutes(2));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(10);

        var outcome = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);

        Assert.Equal("skipped", outcome.Outcome);
        Assert.Contains("Only 20 rows", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("MLOPS_DRIFT_MIN_ROWS", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty(await bed.Catalog.DriftReports.ListAsync(bed.Project).ToListAsync());
        Assert.Equal(outcome, Assert.Single(await bed.Store.ListNotesAsync(bed.Project, default)));
    }

    [Fact]
    public async Task CheckDriftAsync_NextCooldownPeriodWithinCooldown_CoolsDownWithoutSecondRun()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var production = await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"));
        await bed.LogPredictionsAsync(production.Version, Summers.Take(100).ToList(), MonitoringTestBed.T0.AddMinutes(1));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(50);
        var first = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);
        await bed.LogPredictionsAsync(production.Version, Summers.Skip(100).Take(100).ToList(), MonitoringTestBed.T0.AddMinutes(51));

        // 11:10 is in the next 60-minute episode period, but only 20 minutes after the run started.
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(70);
        var second = await bed.Service.CheckDriftAsync(bed.Project, bed.Starter, default);

        Assert.Equal(("drift", true), (first.Outcome, first.RunStarted));
        Assert.Equal(("drift", false), (second.Outcome, second.RunStarted));
        Assert.Contains("Cooling down", second.Reason, StringComparison.Ordinal);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Single(await bed.RunsAsync(RunTrigger.Drift));
    }

    [Fact]
    public void EpisodeRunId_SamePeriodSameId_NextPeriodNewId()
    {
        var a = RetrainPolicy.EpisodeRunId("weather", RunTrigger.Drift, 3, MonitoringTestBed.T0.AddMinutes(5), 60);
        var b = RetrainPolicy.EpisodeRunId("weather", RunTrigger.Drift, 3, MonitoringTestBed.T0.AddMinutes(59), 60);
        var c = RetrainPolicy.EpisodeRunId("weather", RunTrigger.Drift, 3, MonitoringTestBed.T0.AddMinutes(61), 60);
        var quality = RetrainPolicy.EpisodeRunId("weather", RunTrigger.Quality, 3, MonitoringTestBed.T0.AddMinutes(5), 60);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.StartsWith("weather-drift-v3-", a, StringComparison.Ordinal);
        Assert.StartsWith("weather-quality-v3-", quality, StringComparison.Ordinal);
        Assert.Equal("weather-schedule-202606010300", ScheduleCheck.ScheduleRunId("weather", new DateTimeOffset(2026, 6, 1, 3, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public async Task CheckQualityAsync_FeedbackContradictsPredictions_DroppedAndOneQualityRun()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var production = await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"), holdoutMacroF1: 0.6);
        var rows = Summers.Take(120).ToList();

        // The model says "rain" every time; the truth is the recorded weather (mostly sun in summer).
        var ids = await bed.LogPredictionsAsync(production.Version, rows, MonitoringTestBed.T0.AddMinutes(1), _ => "rain");
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(5);
        var body = JsonSerializer.SerializeToUtf8Bytes(ids.Select((id, i) => new { predictionId = id, actual = Seattle.Weather(rows[i]) }));
        var feedback = await bed.Service.AddFeedbackAsync(bed.Project, body, default);
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(15);

        var outcome = await bed.Service.CheckQualityAsync(bed.Project, bed.Starter, default);

        Assert.Equal((120, 0), (feedback.Accepted, feedback.Duplicates));
        Assert.True(outcome.Outcome == "dropped", outcome.Reason);
        var window = Assert.Single(await bed.Store.ListQualityAsync(bed.Project, 10).ToListAsync());
        Assert.Equal((120L, 120L, QualityVerdict.Dropped), (window.FeedbackRows, window.JoinedRows, window.Report.Verdict));
        Assert.True(window.Report.Value < 0.5 - 0.1, $"live macroF1 {window.Report.Value}");
        var run = Assert.Single(bed.Starter.Started);
        Assert.Equal((RunTrigger.Quality, window.WindowId), (run.Trigger, run.TriggerReference));

        var again = await bed.Service.CheckQualityAsync(bed.Project, bed.Starter, default);
        Assert.Equal("skipped", again.Outcome);
        Assert.Single(await bed.RunsAsync(RunTrigger.Quality));
    }

    [Fact]
    public async Task CheckQualityAsync_FeedbackConfirmsPredictions_OkNoRun()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var production = await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"), holdoutMacroF1: 0.6);
        var rows = TrainingWinters.Take(60).ToList();
        var ids = await bed.LogPredictionsAsync(production.Version, rows, MonitoringTestBed.T0.AddMinutes(1));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(5);
        await bed.Service.AddFeedbackAsync(bed.Project, JsonSerializer.SerializeToUtf8Bytes(ids.Select((id, i) => new { predictionId = id, actual = Seattle.Weather(rows[i]) })), default);
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(15);

        var outcome = await bed.Service.CheckQualityAsync(bed.Project, bed.Starter, default);

        Assert.True(outcome.Outcome == "ok", outcome.Reason);
        Assert.Empty(bed.Starter.Started);
    }

    [Fact]
    public async Task AddFeedbackAsync_RepeatedIds_FirstTruthKeptRepeatsReported()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"));

        var first = await bed.Service.AddFeedbackAsync(bed.Project, Encoding.UTF8.GetBytes("""[{"predictionId":"p1","actual":"sun"},{"predictionId":"p2","actual":"rain"}]"""), default);
        var second = await bed.Service.AddFeedbackAsync(bed.Project, Encoding.UTF8.GetBytes("""[{"predictionId":"p1","actual":"fog"}]"""), default);
        var stored = await bed.Catalog.Feedback.ListAsync(bed.Project, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).ToListAsync();

        Assert.Equal((2, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 1, "p1"), (second.Accepted, second.Duplicates, second.DuplicateIds[0]));
        Assert.Equal("sun", stored.Single(f => f.PredictionId == "p1").Actual.GetString());
    }

    [Fact]
    public async Task AddFeedbackAsync_UnknownModel_ThrowsNotFound()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);

        var error = await Assert.ThrowsAsync<MlopsException>(() => bed.Service.AddFeedbackAsync(bed.Project, Encoding.UTF8.GetBytes("""[{"predictionId":"p1","actual":1}]"""), default));

        Assert.Equal(ErrorCode.NotFound, error.Code);
    }

    [Fact]
    public async Task GetAsync_AfterChecks_ShowsReportsWithFeatureFiguresAndNotes()
    {
        var bed = await MonitoringTestBed.CreateAsync(azurite, Spec);
        var production = await bed.RegisterProductionAsync(await bed.AddDatasetAsync(TrainingWinters, "winter.csv"));
        await bed.LogPredictionsAsync(production.Version, Summers.Take(80).ToList(), MonitoringTestBed.T0.AddMinutes(1));
        bed.Clock.Now = MonitoringTestBed.T0.AddMinutes(10);
        var outcomes = await bed.Service.CheckAllAsync(bed.Starter, default);

        var view = await bed.Service.GetAsync(bed.Project, 10, 20, default);

        Assert.Contains(outcomes, o => o.Project == bed.Project && o.Check == "drift" && o.Outcome == "drift");
        Assert.Contains(outcomes, o => o.Project == bed.Project && o.Check == "quality");
        Assert.Equal(production.Version, view.ProductionVersion);
        var report = Assert.Single(view.DriftReports);
        Assert.Equal(DriftVerdict.Drift, report.Verdict);
        Assert.Equal(Seattle.Features, report.Features.Select(f => f.Name));
        Assert.All(report.Features, f => Assert.True(f.Psi is not null && f.KsStatistic is not null && f.KsPValue is not null && f.CurrentN == 80));
        Assert.Equal(["drift", "quality"], view.Checks.Select(c => c.Check).Order());
        var json = JsonSerializer.Serialize(view, Mlops.Catalog.CatalogJson.Options);
        Assert.Contains("\"verdict\":\"drift\"", json, StringComparison.Ordinal);
    }
}
