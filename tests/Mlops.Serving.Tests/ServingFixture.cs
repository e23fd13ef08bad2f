using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;
using Mlops.Testing;

namespace Mlops.Serving.Tests;

/// <summary>
/// One Azurite, one catalog and two real models for the whole project: LightGBM and SDCA trained with Mlops.Modeling on
/// seattle-weather (the real vega-datasets file, read with Mlops.Data) and exported to ONNX. Tests register them under
/// fresh model names, so they never interfere.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    private int _counter;

    public CatalogServices Catalog { get; private set; } = null!;

    public DataTable Weather { get; private set; } = null!;

    /// <summary>Two different models of the same task and columns (v1 and v2 of a promotion).</summary>
    public OnnxExport LightGbm { get; private set; } = null!;

    public OnnxExport Sdca { get; private set; } = null!;

    public static ProjectSpec Spec => new()
    {
        Target = "weather",
        Task = TaskKind.Multiclass,
        Ignore = ["date"],
        Metric = "macroF1",
        Trainers = ["lightgbm", "sdca"],
    };

    public static DatasetSchema WeatherSchema => new(
    [
        new ColumnSchema("date", ColumnKind.Date, false),
        new ColumnSchema("precipitation", ColumnKind.Numeric, false),
        new ColumnSchema("temp_max", ColumnKind.Numeric, false),
        new ColumnSchema("temp_min", ColumnKind.Numeric, false),
        new ColumnSchema("wind", ColumnKind.Numeric, false),
        new ColumnSchema("weather", ColumnKind.Categorical, false),
    ]);

    public async Task InitializeAsync()
    {
        var training = Task.Run(async () =>
        {
            await using var file = File.OpenRead(RepoPaths.Dataset("seattle-weather.csv"));
            Weather = await DatasetReader.ReadCanonicalCsvAsync(file, WeatherSchema);
            var split = DataSplit.Split(Weather, Spec);
            var train = Weather.SelectRows(split.Train);
            var holdout = Weather.SelectRows(split.Holdout);
            OnnxExport Train(string trainer)
            {
                var candidate = CandidateSearch.Candidates(Spec with { Trainers = [trainer] }, train.RowCount)[0];
                return OnnxExporter.Export(CandidateTrainer.Fit(train, Spec, candidate), holdout);
            }

            LightGbm = Train("lightgbm");
            Sdca = Train("sdca");
        });
        await _azurite.InitializeAsync();
        Catalog = CatalogServices.FromConnectionString(_azurite.ConnectionString);
        await training;
    }

    public Task DisposeAsync() => _azurite.DisposeAsync();

    public string NewModelName(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Registers <paramref name="export"/> as the next version of <paramref name="model"/>.</summary>
    public async Task<ModelVersion> RegisterAsync(string model, OnnxExport export, string trainer)
    {
        var registration = new ModelRegistration
        {
            Model = model,
            RunId = "run-" + Guid.NewGuid().ToString("N"),
            Project = model,
            Task = TaskKind.Multiclass,
            Trainer = trainer,
            Metric = "macroF1",
            Data = new ModelCardData(new string('a', 64), Weather.RowCount),
            Metrics = new Dictionary<string, double> { ["macroF1"] = 0.5 },
            Signature = export.Signature,
            Artifacts = [new ModelArtifact(ModelRegistry.OnnxFileName, BinaryData.FromBytes(export.Model))],
        };
        return await Catalog.Models.RegisterVersionAsync(registration);
    }

    public Task<AliasMoveResult> PromoteAsync(string model, int version) =>
        Catalog.Models.MoveAliasAsync(new AliasMove { Model = model, Alias = ModelRegistry.ProductionAlias, Version = version, Actor = "test", Reason = "test" });

    /// <summary>A model with v1 (LightGBM) in production.</summary>
    public async Task<string> ProductionModelAsync(string prefix)
    {
        var model = NewModelName(prefix);
        var v1 = await RegisterAsync(model, LightGbm, "lightgbm");
        await PromoteAsync(model, v1.Version);
        return model;
    }

    /// <summary>Real rows of seattle-weather as JSON objects (features only, as a client sends them).</summary>
    public string WeatherRowsJson(int count, int skip = 0)
    {
        var numeric = new[] { "precipitation", "temp_max", "temp_min", "wind" };
        var rows = Enumerable.Range(skip, count).Select(r => numeric.ToDictionary(c => c, c => ((NumericColumn)Weather[c]).Values[r]));
        return JsonSerializer.Serialize(rows);
    }

    public static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    public const string Name = "serving";
}
