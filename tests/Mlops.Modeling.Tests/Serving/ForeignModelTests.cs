using System.Text.Json;
using Mlops.Core.Errors;
using Mlops.Modeling.Serving;

namespace Mlops.Modeling.Tests.Serving;

/// <summary>Models not made by our exporter: a hand-written graph with a vector input and plain ai.onnx operators.</summary>
public sealed class ForeignModelTests
{
    /// <summary>y = x · [1, 2, 3] + 0.5 over an input "x" of shape [N, 3]; no mlops metadata (MatMul + Add, written by hand).</summary>
    private static byte[] LinearModel() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serving", "foreign-linear.onnx"));

    [Fact]
    public void FromOnnx_ForeignModel_SignatureReadFromGraph()
    {
        var signature = OnnxSignature.Read(LinearModel());
        Assert.Null(signature.Task);
        var input = Assert.Single(signature.Inputs);
        Assert.Equal(("x", SignatureTypes.Float), (input.Name, input.Type));
        Assert.Equal([-1L, 3L], input.Shape);
        Assert.Equal("y", Assert.Single(signature.Outputs).Name);
    }

    [Fact]
    public void FromOnnx_NotAModel_Rejected()
    {
        var error = Assert.Throws<MlopsException>(() => OnnxSignature.Read("not an onnx model"u8.ToArray()));
        Assert.Equal(ErrorCode.Rejected, error.Code);
        Assert.Equal("onnx-load", Assert.Single(error.Violations).Rule);
    }

    [Fact]
    public void Predict_ForeignModel_RawOutputsPerRow()
    {
        var model = LinearModel();
        using var predictor = new OnnxPredictor(model, OnnxSignature.Read(model));
        var rows = new[] { """{"x":[1,1,1]}""", """{"x":[0,0,2]}""" }
            .Select(j => (IReadOnlyDictionary<string, JsonElement>)JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(j)!).ToList();
        var result = predictor.Predict(rows);
        Assert.Equal([6.5f, 6.5f], result.Predictions.Select(p => p.Outputs!["y"].GetSingle()));
    }

    [Fact]
    public void Predict_ForeignModelWrongWidth_ShapeViolation()
    {
        var model = LinearModel();
        using var predictor = new OnnxPredictor(model, OnnxSignature.Read(model));
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"x":[1,1]}""")!;
        var error = Assert.Throws<MlopsException>(() => predictor.Predict([row]));
        Assert.Equal(("x", "shape"), (error.Violations[0].Field, error.Violations[0].Rule));
    }
}
