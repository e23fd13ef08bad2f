using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Data;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.StageTests;

// Not beside the intake tests: training raises the process's peak working set, which they measure.
[Collection(ProcessMemory.Collection)]
public sealed class GateStageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Project = "gate-fair";
    private const string RunId = "run-gate-fair";
    private const string SpecJson = """{"target":"weather","task":"multiclass","ignore":["date"],"metric":"accuracy","trainers":["lightgbm"]}""";

    /// <summary>
    /// The champion trained on 80% of the rows (another seed's split), so most of the challenger's holdout is rows it has
    /// seen. The gate must score both on the holdout rows the champion did not train on, and nowhere else.
    /// </summary>
    [Fact]
    public async Task RunAsync_ChampionTrainedOnPartOfTheHoldout_ScoresBothOnlyOnRowsNeitherTrainedOn()
    {
        var catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);
        var project = await catalog.Projects.PutAsync(Project, SpecJson);
        var spec = project.Spec;
        var (table, schema, csv) = await LoadWeatherAsync(spec);
        var model = Stages.ModelNameFor(Project);

        var championSplit = DataSplit.Split(table, spec with { Seed = 1 });
        await RegisterAsync(catalog, model, "run-champion", table, spec, championSplit);
        await catalog.Models.MoveAliasAsync(new AliasMove { Model = model, Alias = ModelRegistry.ProductionAlias, Version = 1, Actor = "test", Reason = "champion" });

        var split = DataSplit.Split(table, spec);
        await catalog.Runs.StartAsync(new Catalog.Runs.NewRun(RunId, Project, new Catalog.Runs.RunLineage { DatasetSha256 = new string('0', 64), SpecVersion = project.Version }));
        var workspace = new RunWorkspace(catalog);
        await workspace.PutOnceAsync(RunId, RunWorkspace.Files.TrainingSet, new BinaryData(csv), default);
        await workspace.PutJsonOnceAsync(RunId, RunWorkspace.Files.Schema, schema, default);
        await workspace.PutJsonOnceAsync(RunId, RunWorkspace.Files.Split, split, default);
        var (challengerOnnx, challengerSignature) = await RegisterAsync(catalog, model, RunId, table, spec, split);

        var decision = await new GateStage(catalog, TimeProvider.System, workspace)
            .RunAsync(new GateInput(new StageInput(Project, RunId, [], project.Version), model, 2), default);

        var seenByChampion = championSplit.Train.ToHashSet();
        var fair = split.Holdout.Where(r => !seenByChampion.Contains(r)).ToList();
        Assert.InRange(fair.Count, 1, split.Holdout.Count / 2);
        var v1 = await catalog.Models.ReadArtifactAsync(model, 1, "model.onnx");
        var v1Signature = (await catalog.Models.GetVersionAsync(model, 1)).Card.Signature;
        var championOnFair = Scorer.Score(v1.ToArray(), v1Signature, table.SelectRows(fair), spec.Target)["accuracy"];
        var championOnWhole = Scorer.Score(v1.ToArray(), v1Signature, table.SelectRows(split.Holdout), spec.Target)["accuracy"];
        var challengerOnFair = Scorer.Score(challengerOnnx, challengerSignature, table.SelectRows(fair), spec.Target)["accuracy"];

        Assert.Equal(1, decision.ChampionVersion);
        Assert.Equal(championOnFair, decision.Champion);
        Assert.Equal(challengerOnFair, decision.Challenger);
        Assert.Contains($"{fair.Count} holdout rows neither trained on", decision.Reason, StringComparison.Ordinal);
        // What the old gate would have used: the whole holdout, most of which the champion trained on, flatters it.
        Assert.True(championOnWhole > championOnFair, $"champion {championOnWhole} on the whole holdout vs {championOnFair} on unseen rows");
    }

    private static async Task<(DataTable Table, DatasetSchema Schema, byte[] Csv)> LoadWeatherAsync(ProjectSpec spec)
    {
        using var canonical = new MemoryStream();
        IngestionResult result;
        await using (var file = File.OpenRead(RepoPaths.Dataset("seattle-weather.csv")))
        {
            result = await new DatasetIngestor().IngestAsync(file, "seattle-weather.csv", spec, null, canonical);
        }

        Assert.True(result.IsAccepted);
        var csv = canonical.ToArray();
        var table = await DatasetReader.ReadCanonicalCsvAsync(new MemoryStream(csv), result.Schema!);
        return (table, result.Schema!, csv);
    }

    /// <summary>Fits the default LightGBM candidate on the split's training rows and registers it as the next version.</summary>
    private static async Task<(byte[] Onnx, Core.Models.ModelSignature Signature)> RegisterAsync(
        CatalogServices catalog, string model, string runId, DataTable table, ProjectSpec spec, SplitIndices split)
    {
        var train = table.SelectRows(split.Train);
        var holdout = table.SelectRows(split.Holdout);
        var fitted = CandidateTrainer.Fit(train, spec, CandidateSearch.Candidates(spec, train.RowCount)[0]);
        var export = OnnxExporter.Export(fitted.Model, holdout);
        await catalog.Models.RegisterVersionAsync(new ModelRegistration
        {
            Model = model,
            RunId = runId,
            Project = Project,
            Task = spec.Task,
            Trainer = "lightgbm",
            Metric = spec.Metric,
            Data = new ModelCardData(new string('0', 64), table.RowCount, split.Train.Count, split.Holdout.Count),
            Metrics = MetricCalculator.Compute(fitted.Model.Predict(holdout), holdout, spec.Target),
            Signature = export.Signature,
            Artifacts =
            [
                new ModelArtifact("model.onnx", new BinaryData(export.Model)),
                new ModelArtifact(TrainingRows.FileName, BinaryData.FromString(TrainingRows.Of(table, split.Train).ToJson())),
            ],
        });
        return (export.Model, export.Signature);
    }
}

/// <summary>Tests that measure or raise the process's peak working set run one at a time.</summary>
public static class ProcessMemory
{
    /// <summary>The collection name.</summary>
    public const string Collection = "process memory";
}
