using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Serving;
using Mlops.Modeling.Training;
using Mlops.Testing;

namespace Mlops.Modeling.Bench;

/// <summary>Scored output of the multiclass model for ML.NET's PredictionEngine.</summary>
public sealed class MulticlassScore
{
    [ColumnName("PredictedLabel")]
    public uint PredictedLabel { get; set; }

    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}

/// <summary>
/// The same LightGBM model (seattle-weather, multiclass, 5 classes) served by our ONNX predictor (JSON rows in: includes
/// signature checks and featurization inside the graph) and by ML.NET's PredictionEngine (feature vectors in: our C#
/// featurization done beforehand, so ML.NET is timed on the model alone).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PredictorBenchmarks
{
    private OnnxPredictor _predictor = null!;
    private PredictionEngine<MulticlassRow, MulticlassScore> _engine = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> _oneRow = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> _thousandRows = null!;
    private MulticlassRow[] _vectors = null!;
    private readonly MulticlassScore _output = new();

    [GlobalSetup]
    public void Setup()
    {
        var table = WeatherLoader.Load(RepoPaths.Dataset("seattle-weather.csv"));
        var spec = new ProjectSpec { Target = "weather", Task = TaskKind.Multiclass, Ignore = ["date"], Metric = "macroF1", Trainers = ["lightgbm"] };
        var split = DataSplit.Split(table, spec);
        var train = table.SelectRows(split.Train);
        var holdout = table.SelectRows(split.Holdout);
        var trained = CandidateTrainer.Train(train, holdout, spec, CandidateGrid.For(spec, table.RowCount)[0]);
        var export = OnnxExporter.Export(trained, holdout);
        _predictor = new OnnxPredictor(export.Model, export.Signature);

        var rows = Enumerable.Range(0, 1000).Select(i => i % table.RowCount).Select(r => (IReadOnlyDictionary<string, JsonElement>)new Dictionary<string, JsonElement>
        {
            ["precipitation"] = JsonSerializer.SerializeToElement(((NumericColumn)table["precipitation"]).Values[r]),
            ["temp_max"] = JsonSerializer.SerializeToElement(((NumericColumn)table["temp_max"]).Values[r]),
            ["temp_min"] = JsonSerializer.SerializeToElement(((NumericColumn)table["temp_min"]).Values[r]),
            ["wind"] = JsonSerializer.SerializeToElement(((NumericColumn)table["wind"]).Values[r]),
        }).ToList();
        _oneRow = rows.Take(1).ToList();
        _thousandRows = rows;

        var ml = new MLContext(1);
        var width = trained.Model.Plan.VectorLength;
        var features = trained.Model.Plan.Transform(table.SelectRows(Enumerable.Range(0, 1000).Select(i => i % table.RowCount).ToList()));
        _vectors = Enumerable.Range(0, 1000).Select(i => new MulticlassRow { Features = features.AsSpan(i * width, width).ToArray() }).ToArray();
        var schema = SchemaDefinition.Create(typeof(MulticlassRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        schema["Label"].ColumnType = new KeyDataViewType(typeof(uint), trained.Model.Plan.ClassLabels.Count);
        _engine = ml.Model.CreatePredictionEngine<MulticlassRow, MulticlassScore>(trained.Model.Transformer, inputSchemaDefinition: schema);
    }

    [Benchmark(Description = "ORT predictor, 1 row")]
    public int OnnxOneRow() => _predictor.Predict(_oneRow).Predictions.Count;

    [Benchmark(Description = "ORT predictor, 1,000-row batch")]
    public int OnnxThousandRows() => _predictor.Predict(_thousandRows).Predictions.Count;

    [Benchmark(Description = "ML.NET PredictionEngine, 1 row")]
    public uint MlNetOneRow()
    {
        var output = _output;
        _engine.Predict(_vectors[0], ref output);
        return output.PredictedLabel;
    }

    [Benchmark(Description = "ML.NET PredictionEngine, 1,000 rows (loop)")]
    public uint MlNetThousandRows()
    {
        uint sum = 0;
        var output = _output;
        foreach (var row in _vectors)
        {
            _engine.Predict(row, ref output);
            sum += output.PredictedLabel;
        }

        return sum;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _predictor.Dispose();
        _engine.Dispose();
    }
}
