using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Models;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Pipeline;
using Mlops.Pipeline.Monitoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Monitoring;

[CollectionDefinition(Name)]
public sealed class MonitoringAzurite : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "monitoring-azurite";
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Records retraining runs in the real run tracker the way <see cref="PipelineLauncher"/> does (a run that exists is
/// not started again), without a Durable backend.
/// </summary>
internal sealed class TrackerRetrainStarter(CatalogServices catalog) : IRetrainStarter
{
    public List<RetrainRequest> Started { get; } = [];

    public async Task<bool> StartAsync(RetrainRequest request, CancellationToken cancellationToken)
    {
        if (await catalog.Runs.FindAsync(request.RunId, cancellationToken) is not null)
        {
            return false;
        }

        await catalog.Runs.StartAsync(new NewRun(request.RunId, request.Project, new RunLineage
        {
            DatasetSha256 = request.DatasetVersions[^1],
            SpecVersion = 1,
            Trigger = request.Trigger,
            TriggerReference = request.TriggerReference,
        }), cancellationToken);
        Started.Add(request);
        return true;
    }
}

/// <summary>seattle-weather.csv rows, split by season.</summary>
internal static class Seattle
{
    public static readonly IReadOnlyList<string> Features = ["precipitation", "temp_max", "temp_min", "wind"];

    private static readonly Lazy<(string Header, List<string[]> Rows)> Data = new(() =>
    {
        var lines = File.ReadAllLines(RepoPaths.Dataset("seattle-weather.csv"));
        return (lines[0], lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList());
    });

    public static string Header => Data.Value.Header;

    /// <summary>Rows whose month (and optionally year) match.</summary>
    public static List<string[]> Rows(Func<int, int, bool> yearMonth) =>
        Data.Value.Rows.Where(r => yearMonth(int.Parse(r[0][..4], CultureInfo.InvariantCulture), int.Parse(r[0][5..7], CultureInfo.InvariantCulture))).ToList();

    public static bool Winter(int month) => month is 12 or 1 or 2;

    public static bool Summer(int month) => month is 6 or 7 or 8;

    public static string Csv(IEnumerable<string[]> rows) => Header + "\n" + string.Join("\n", rows.Select(r => string.Join(',', r))) + "\n";

    public static IReadOnlyDictionary<string, JsonElement> Inputs(string[] row) => new Dictionary<string, JsonElement>
    {
        ["precipitation"] = JsonSerializer.SerializeToElement(double.Parse(row[1], CultureInfo.InvariantCulture)),
        ["temp_max"] = JsonSerializer.SerializeToElement(double.Parse(row[2], CultureInfo.InvariantCulture)),
        ["temp_min"] = JsonSerializer.SerializeToElement(double.Parse(row[3], CultureInfo.InvariantCulture)),
        ["wind"] = JsonSerializer.SerializeToElement(double.Parse(row[4], CultureInfo.InvariantCulture)),
    };

    public static string Weather(string[] row) => row[5];
}

/// <summary>One project with an accepted dataset, a production model version and its training profile, in real Azurite.</summary>
internal sealed class MonitoringTestBed
{
    public static readonly DateTimeOffset T0 = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
    private static int _counter;

    private MonitoringTestBed(CatalogServices catalog, ManualClock clock, string project, MonitoringOptions options)
    {
        Catalog = catalog;
        Clock = clock;
        Project = project;
        Store = new MonitoringStore(catalog);
        Service = new MonitoringService(catalog, Store, options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<MonitoringService>.Instance);
        Starter = new TrackerRetrainStarter(catalog);
    }

    public CatalogServices Catalog { get; }

    public ManualClock Clock { get; }

    public string Project { get; }

    public MonitoringStore Store { get; }

    public MonitoringService Service { get; }

    public TrackerRetrainStarter Starter { get; }

    public List<string> DatasetShas { get; } = [];

    public static string NewName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    public static async Task<MonitoringTestBed> CreateAsync(AzuriteFixture azurite, string specJson, MonitoringOptions? options = null)
    {
        var clock = new ManualClock(T0);
        var catalog = CatalogServices.FromConnectionString(azurite.ConnectionString, new CatalogOptions { Time = clock, InstanceId = "test" });
        var bed = new MonitoringTestBed(catalog, clock, NewName("mon"), options ?? new MonitoringOptions { Settle = TimeSpan.FromSeconds(5), DriftMinRows = 50, QualityMinPairs = 30 });
        await catalog.Projects.PutAsync(bed.Project, specJson);
        return bed;
    }

    public async Task<DatasetVersion> AddDatasetAsync(IReadOnlyList<string[]> rows, string fileName)
    {
        var spec = (await Catalog.Projects.GetAsync(Project)).Spec;
        var csv = Encoding.UTF8.GetBytes(Seattle.Csv(rows));
        using var canonical = new MemoryStream();
        var result = await new DatasetIngestor().IngestAsync(new MemoryStream(csv), fileName, spec, canonicalOutput: canonical);
        Assert.True(result.IsAccepted, string.Join("; ", result.Report.Failures.Select(f => f.Message)));
        canonical.Position = 0;
        var version = await Catalog.Datasets.StoreAcceptedAsync(new AcceptedDataset
        {
            Project = Project,
            Sha256 = result.Sha256!,
            RowCount = result.RowCount,
            Schema = result.Schema!,
            Profile = result.Profile!,
            Source = new DatasetSource(fileName, Clock.Now),
        }, canonical);
        DatasetShas.Add(version.Sha256);
        return version;
    }

    /// <summary>Registers a version whose training profile is the dataset's (as RegisterStage stores it) and makes it production.</summary>
    public async Task<ModelVersion> RegisterProductionAsync(DatasetVersion trainedOn, double holdoutMacroF1 = 0.6)
    {
        var profile = await Catalog.Datasets.GetProfileAsync(Project, trainedOn.Sha256);
        var runId = NewName("train");
        await Catalog.Runs.StartAsync(new NewRun(runId, Project, new RunLineage { DatasetSha256 = trainedOn.Sha256, SpecVersion = 1, Trigger = RunTrigger.Upload }));
        var version = await Catalog.Models.RegisterVersionAsync(new ModelRegistration
        {
            Model = Project,
            RunId = runId,
            Project = Project,
            Task = TaskKind.Multiclass,
            Trainer = "lightgbm",
            Metric = "macroF1",
            Data = new ModelCardData(trainedOn.Sha256, trainedOn.RowCount),
            Metrics = new Dictionary<string, double> { ["macroF1"] = holdoutMacroF1, ["accuracy"] = 0.8 },
            Signature = new ModelSignature
            {
                Task = TaskKind.Multiclass,
                Inputs = Seattle.Features.Select(f => new SignatureField(f, SignatureTypes.Float, [-1, 1], false)).ToList(),
                Outputs = [new SignatureField("label", SignatureTypes.String, [-1], false)],
                ClassLabels = ["drizzle", "fog", "rain", "snow", "sun"],
            },
            // Drift and quality never read the ONNX file; the registry requires one.
            Artifacts =
            [
                new ModelArtifact(ModelRegistry.OnnxFileName, BinaryData.FromString("not read by monitoring")),
                new ModelArtifact(RegisterStage.ProfileArtifact, BinaryData.FromObjectAsJson(profile, CatalogJson.Options), "application/json"),
            ],
        });
        await Catalog.Models.MoveAliasAsync(new AliasMove { Model = Project, Alias = ModelRegistry.ProductionAlias, Version = version.Version, Actor = "test", Reason = "setup" });
        return version;
    }

    /// <summary>Logs one prediction per row, a second apart from <paramref name="from"/>, with <paramref name="predicted"/>'s label; returns the ids.</summary>
    public async Task<List<string>> LogPredictionsAsync(int version, IReadOnlyList<string[]> rows, DateTimeOffset from, Func<string[], string>? predicted = null)
    {
        var ids = new List<string>();
        var records = new List<PredictionRecord>();
        for (var i = 0; i < rows.Count; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            ids.Add(id);
            var label = (predicted ?? Seattle.Weather)(rows[i]);
            var output = JsonSerializer.SerializeToElement(new { label, probabilities = new Dictionary<string, float> { [label] = 1f } });
            records.Add(new PredictionRecord(id, Project, version, from.AddSeconds(i), Seattle.Inputs(rows[i]), output));
        }

        await Catalog.Predictions.AppendAsync(records);
        return ids;
    }

    public Task<IReadOnlyList<RunSummary>> RunsAsync(RunTrigger trigger) =>
        Catalog.Runs.ListAsync(Project).ContinueWith(t => (IReadOnlyList<RunSummary>)t.Result.Where(r => r.Trigger == trigger).ToList(), TaskScheduler.Default);
}
