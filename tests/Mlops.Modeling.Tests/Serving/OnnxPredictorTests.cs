using System.Text.Json;
using Mlops.Core.Errors;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Serving;

namespace Mlops.Modeling.Tests.Serving;

public sealed class OnnxPredictorTests
{
    private static readonly Lazy<OnnxExport> PenguinExport = new(() => OnnxExporter.Export(TrainedModels.Get("penguins", "lightgbm").Model, TrainedModels.Split("penguins").Holdout));

    private static OnnxPredictor NewPredictor(OnnxPredictorOptions? options = null) => new(PenguinExport.Value.Model, PenguinExport.Value.Signature, options);

    private static Dictionary<string, JsonElement> Row(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    private const string Adelie = """{"Island":"Torgersen","Beak Length (mm)":39.1,"Beak Depth (mm)":18.7,"Flipper Length (mm)":181,"Body Mass (g)":3750,"Sex":"MALE"}""";

    [Fact]
    public void Predict_ValidRow_LabelAndProbabilities()
    {
        using var predictor = NewPredictor();
        var result = predictor.Predict([Row(Adelie)]);
        var prediction = Assert.Single(result.Predictions);
        Assert.Equal("Adelie", prediction.Label);
        Assert.Equal(1.0, prediction.Probabilities!.Values.Sum(), 4);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], prediction.Probabilities.Keys);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Predict_HoldoutRowsAsJson_SameAsTableScoring()
    {
        var (_, holdout) = TrainedModels.Split("penguins");
        var expected = Scorer.Predict(PenguinExport.Value.Model, PenguinExport.Value.Signature, holdout);
        var rows = Enumerable.Range(0, holdout.RowCount).Select(r => (IReadOnlyDictionary<string, JsonElement>)holdout.Columns.ToDictionary(
            c => c.Name,
            c => c switch
            {
                Mlops.Core.Data.NumericColumn n => JsonSerializer.SerializeToElement<double?>(double.IsNaN(n.Values[r]) ? null : n.Values[r]),
                Mlops.Core.Data.StringColumn s => JsonSerializer.SerializeToElement(s.Values[r]),
                _ => throw new InvalidOperationException(),
            })).ToList();
        using var predictor = NewPredictor();
        var result = predictor.Predict(rows);
        Assert.Equal(expected.Labels, result.Predictions.Select(p => p.Label));
        Assert.Equal(["Column 'Species' is not a model input and was ignored."], result.Warnings);
    }

    [Fact]
    public void Predict_MissingColumn_RequiredViolationNamingIt()
    {
        using var predictor = NewPredictor();
        var row = Row(Adelie);
        row.Remove("Island");
        var error = Assert.Throws<MlopsException>(() => predictor.Predict([row]));
        Assert.Equal(ErrorCode.InvalidInput, error.Code);
        var violation = Assert.Single(error.Violations);
        Assert.Equal(("Island", "required"), (violation.Field, violation.Rule));
    }

    [Fact]
    public void Predict_WrongType_TypeViolationWithoutEchoingTheValue()
    {
        using var predictor = NewPredictor();
        var error = Assert.Throws<MlopsException>(() => predictor.Predict([Row(Adelie.Replace("39.1", "\"secret-value\"", StringComparison.Ordinal))]));
        var violation = Assert.Single(error.Violations);
        Assert.Equal(("Beak Length (mm)", "type"), (violation.Field, violation.Rule));
        Assert.DoesNotContain("secret-value", violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_NullsInNullableColumns_Imputed()
    {
        using var predictor = NewPredictor();
        var result = predictor.Predict([Row("""{"Island":null,"Beak Length (mm)":null,"Beak Depth (mm)":18.7,"Flipper Length (mm)":181,"Body Mass (g)":null,"Sex":null}""")]);
        Assert.NotNull(Assert.Single(result.Predictions).Label);
    }

    [Fact]
    public void Predict_NullInNonNullableColumn_NotNullViolation()
    {
        var signature = PenguinExport.Value.Signature with
        {
            Inputs = PenguinExport.Value.Signature.Inputs.Select(i => i.Name == "Sex" ? i with { Nullable = false } : i).ToList(),
        };
        using var predictor = new OnnxPredictor(PenguinExport.Value.Model, signature);
        var error = Assert.Throws<MlopsException>(() => predictor.Predict([Row(Adelie.Replace("\"MALE\"", "null", StringComparison.Ordinal))]));
        Assert.Equal(("Sex", "not-null"), (error.Violations[0].Field, error.Violations[0].Rule));
    }

    [Fact]
    public void Predict_OverMaxBatch_MaxBatchViolation()
    {
        using var predictor = NewPredictor(new OnnxPredictorOptions { MaxBatchRows = 3 });
        var rows = Enumerable.Repeat((IReadOnlyDictionary<string, JsonElement>)Row(Adelie), 4).ToList();
        var error = Assert.Throws<MlopsException>(() => predictor.Predict(rows));
        Assert.Equal("max-batch", Assert.Single(error.Violations).Rule);
        Assert.Equal(3, predictor.Predict(rows.Take(3).ToList()).Predictions.Count);
    }

    [Fact]
    public void Predict_ManyThreadsOneSession_SameAnswers()
    {
        using var predictor = NewPredictor();
        var rows = Enumerable.Repeat((IReadOnlyDictionary<string, JsonElement>)Row(Adelie), 50).ToList();
        var expected = predictor.Predict(rows).Predictions.Select(p => p.Probabilities!["Adelie"]).ToList();
        var results = new float[16][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = predictor.Predict(rows).Predictions.Select(p => p.Probabilities!["Adelie"]).ToArray());
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void PredictColumns_ColumnBatch_SameAsRows()
    {
        using var predictor = NewPredictor();
        var row = Row(Adelie);
        var columns = row.ToDictionary(p => p.Key, p => (IReadOnlyList<JsonElement>)[p.Value, p.Value]);
        var result = predictor.PredictColumns(columns);
        Assert.Equal(2, result.Predictions.Count);
        Assert.Equal(predictor.Predict([row]).Predictions[0].Label, result.Predictions[1].Label);
    }

    [Fact]
    public void Predict_Regression_ValuePerRow()
    {
        var (_, holdout) = TrainedModels.Split("cars");
        var export = OnnxExporter.Export(TrainedModels.Get("cars", "lightgbm").Model, holdout);
        using var predictor = new OnnxPredictor(export.Model, export.Signature);
        var result = predictor.Predict([Row("""{"Cylinders":4,"Displacement":97,"Horsepower":88,"Weight_in_lbs":2130,"Acceleration":14.5,"Origin":"Japan"}""")]);
        Assert.InRange(Assert.Single(result.Predictions).Value!.Value, 20f, 45f);
    }
}
