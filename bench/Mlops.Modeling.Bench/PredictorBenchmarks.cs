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

/// <summary>One seattle-weather row as the ML.NET pipeline reads it (the featurization is inside the model).</summary>
public sealed class WeatherRow
{
    [ColumnName("precipitation")]
    public float Precipitation { get; set; }

    [ColumnName("temp_max")]
    public float TempMax { get; set; }

    [ColumnName("temp_min")]
    public float TempMin { get; set; }

    [ColumnName("wind")]
    public float Wind { get; set; }
}

/// <summary>Scored output of the multiclass model for ML.NET's PredictionEngine.</summary>
public sealed class MulticlassScore
{
    [ColumnName("PredictedLabel")]
    public string PredictedLabel { get; set; } = "";

    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}

/// <summary>
/// The same LightGBM model (seattle-weather, multiclass, 5 classes) served by our ONNX predictor (JSON rows in: includes
/// signature checks and featurization inside the graph) and by ML.NET's PredictionEngine (typed rows in, the same
/// featurization inside the ML.NET pipeline).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class PredictorBenchmarks
{
    private OnnxPredictor _predictor = null!;
    private PredictionEngine<WeatherRow, MulticlassScore> _engine = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> _oneRow = null!;
    private IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> _thousandRows = null!;
    private WeatherRow[] _vectors = null!;
    private readonly MulticlassScore _output = new();

    [GlobalSetup]
    public void Setup()
    {
        var table = WeatherLoader.Load(RepoPaths.Dataset("seattle-weather.csv"));
        var spec = new ProjectSpec { Target = "weather", Task = TaskKind.Multiclass, Ignore = ["date"], Metric = "macroF1", Trainers = ["lightgbm"] };
        var split = DataSplit.Split(table, spec);
        var train = table.SelectRows(split.Train);
        var holdout = table.SelectRows(split.Holdout);
        var trained = CandidateTrainer.Fit(train, spec, CandidateSearch.Candidates(spec, train.RowCount)[0]);
        var export = OnnxExporter.Export(trained.Model, holdout);
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
        _vectors = Enumerable.Range(0, 1000).Select(i => i % table.RowCount).Select(r => new WeatherRow
        {
            Precipitation = (float)((NumericColumn)table["precipitation"]).Values[r],
            TempMax = (float)((NumericColumn)table["temp_max"]).Values[r],
            TempMin = (float)((NumericColumn)table["temp_min"]).Values[r],
            Wind = (float)((NumericColumn)table["wind"]).Values[r],
        }).ToArray();
        _engine = ml.Model.CreatePredictionEngine<WeatherRow, MulticlassScore>(trained.Model.Transformer);
    }

    [Benchmark(Description = "ORT predictor, 1 row")]
    public int OnnxOneRow() => _predictor.Predict(_oneRow).Predictions.Count;

    [Benchmark(Description = "ORT predictor, 1,000-row batch")]
    public int OnnxThousandRows() => _predictor.Predict(_thousandRows).Predictions.Count;

    [Benchmark(Description = "ML.NET PredictionEngine, 1 row")]
    public string MlNetOneRow()
    {
        var output = _output;
        _engine.Predict(_vectors[0], ref output);
        return output.PredictedLabel;
    }

    [Benchmark(Description = "ML.NET PredictionEngine, 1,000 rows (loop)")]
    public int MlNetThousandRows()
    {
        var sum = 0;
        var output = _output;
        foreach (var row in _vectors)
        {
            _engine.Predict(row, ref output);
            sum += output.PredictedLabel.Length;
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
