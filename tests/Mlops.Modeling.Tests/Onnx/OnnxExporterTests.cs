using Google.Protobuf;
using Mlops.Core.Errors;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Serving;
using Mlops.Modeling.Training;
using Xunit.Abstractions;

namespace Mlops.Modeling.Tests.Onnx;

public sealed class OnnxExporterTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> EveryTrainerAndTask => new()
    {
        { "weather", "lightgbm" }, { "weather", "fasttree" }, { "weather", "fastforest" }, { "weather", "sdca" }, { "weather", "lbfgs" },
        { "penguins", "lightgbm" }, { "penguins", "fasttree" }, { "penguins", "fastforest" }, { "penguins", "sdca" }, { "penguins", "lbfgs" },
        { "penguin-sex", "lightgbm" }, { "penguin-sex", "fasttree" }, { "penguin-sex", "sdca" }, { "penguin-sex", "lbfgs" },
        { "cars", "lightgbm" }, { "cars", "fasttree" }, { "cars", "fastforest" }, { "cars", "sdca" },
    };

    [Theory]
    [MemberData(nameof(EveryTrainerAndTask))]
    public void Export_EveryTrainerAndTask_MatchesMlNetOnHoldout(string dataset, string trainer)
    {
        var (_, holdout) = TrainedModels.Split(dataset);
        var export = OnnxExporter.Export(TrainedModels.Get(dataset, trainer), holdout);
        output.WriteLine($"{dataset}/{trainer}: rows {export.Parity.RowsCompared}, max |diff| {export.Parity.MaxAbsDifference:G3}, label mismatches {export.Parity.LabelMismatches}, {export.Model.Length} bytes");
        Assert.True(export.Parity.Passed);
        Assert.Equal(holdout.RowCount, export.Parity.RowsCompared);
        Assert.Equal(0, export.Parity.LabelMismatches);
        Assert.InRange(export.Parity.MaxAbsDifference, 0, OnnxExporter.Tolerance);
    }

    [Fact]
    public void Export_PerturbedTreeThreshold_FailsParityNamingRows()
    {
        var (_, holdout) = TrainedModels.Split("penguins");
        var bundle = TrainedModels.Get("penguins", "lightgbm").Model;
        var error = Assert.Throws<MlopsException>(() => OnnxExporter.Export(bundle, holdout, proto =>
        {
            // Every split threshold of the ensemble moved up by 5%: some rows take other branches.
            var trees = proto.Graph.Node.Single(n => n.OpType == "TreeEnsembleRegressor");
            var thresholds = trees.Attribute.Single(a => a.Name == "nodes_values_as_tensor").T.DoubleData;
            for (var i = 0; i < thresholds.Count; i++)
            {
                thresholds[i] *= 1.05;
            }
        }));
        output.WriteLine(error.Message);
        Assert.Equal(ErrorCode.Rejected, error.Code);
        Assert.Contains("row ", error.Message, StringComparison.Ordinal);
        Assert.Equal("onnx-parity", Assert.Single(error.Violations).Rule);
    }

    [Fact]
    public void Export_PerturbedLinearWeight_FailsParity()
    {
        var (_, holdout) = TrainedModels.Split("cars");
        var bundle = TrainedModels.Get("cars", "sdca").Model;
        var error = Assert.Throws<MlopsException>(() => OnnxExporter.Export(bundle, holdout, proto =>
        {
            var linear = proto.Graph.Node.Single(n => n.OpType == "LinearRegressor");
            linear.Attribute.Single(a => a.Name == "coefficients").Floats[0] += 0.01f;
        }));
        Assert.Equal(ErrorCode.Rejected, error.Code);
        Assert.Contains("max |diff|", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_ReloadedBundle_CarriesItsSignatureInTheModel()
    {
        var trained = TrainedModels.Get("penguins", "sdca");
        var (_, holdout) = TrainedModels.Split("penguins");
        var reloaded = ModelBundle.FromParts(trained.Model.MlNetModel, trained.Model.PlanJson);
        var export = OnnxExporter.Export(reloaded, holdout);

        var read = OnnxSignature.Read(export.Model);
        Assert.Equal(export.Signature.ToJson(), read.ToJson());
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], read.ClassLabels);
        Assert.Contains(read.Inputs, i => i.Name == "Island" && i.Type == SignatureTypes.String && i.Nullable);
        Assert.Contains(read.Inputs, i => i.Name == "Beak Length (mm)" && i.Type == SignatureTypes.Float && i.Shape.SequenceEqual([-1L, 1L]));
        Assert.DoesNotContain(read.Inputs, i => i.Name == "Species");
    }

    [Fact]
    public void Export_ProtoBytes_ParseBackWithOurSchema()
    {
        var (_, holdout) = TrainedModels.Split("cars");
        var export = OnnxExporter.Export(TrainedModels.Get("cars", "fasttree"), holdout);
        var proto = Mlops.Modeling.Onnx.Proto.ModelProto.Parser.ParseFrom(export.Model);
        Assert.Contains(proto.OpsetImport, o => o.Domain == "ai.onnx.ml" && o.Version == GraphBuilder.OnnxMlOpset);
        Assert.Equal(["Cylinders", "Displacement", "Horsepower", "Weight_in_lbs", "Acceleration", "Origin"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(export.Model, proto.ToByteArray());
    }
}
