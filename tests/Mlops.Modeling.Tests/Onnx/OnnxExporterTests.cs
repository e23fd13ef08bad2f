using System.Collections;
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
        { "weather", "lightgbm" }, { "weather", "fastforest" }, { "weather", "sdca" }, { "weather", "lbfgs" },
        { "weather-dated", "lightgbm" }, { "weather-dated", "lbfgs" },
        { "penguins", "lightgbm" }, { "penguins", "fastforest" }, { "penguins", "sdca" }, { "penguins", "lbfgs" },
        { "penguin-sex", "lightgbm" }, { "penguin-sex", "fasttree" }, { "penguin-sex", "sdca" }, { "penguin-sex", "lbfgs" },
        { "cars", "lightgbm" }, { "cars", "fasttree" }, { "cars", "fastforest" },
    };

    [Theory]
    [MemberData(nameof(EveryTrainerAndTask))]
    public void Export_EveryTrainerAndTask_MatchesMlNetOnHoldout(string dataset, string trainer)
    {
        var (_, holdout) = TrainedModels.Split(dataset);
        var export = OnnxExporter.Export(TrainedModels.Get(dataset, trainer).Model, holdout);
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
        var error = Assert.Throws<MlopsException>(() => OnnxExporter.Export(bundle, holdout, model =>
        {
            // Every split threshold of every tree moved up by 5%: some rows take other branches.
            foreach (var thresholds in FloatAttributes(model, "TreeEnsembleRegressor", "nodes_values"))
            {
                for (var i = 0; i < thresholds.Count; i++)
                {
                    thresholds[i] = (float)thresholds[i]! * 1.05f;
                }
            }
        }));
        output.WriteLine(error.Message);
        Assert.Equal(ErrorCode.Rejected, error.Code);
        Assert.Contains("row ", error.Message, StringComparison.Ordinal);
        Assert.Equal("onnx-parity", Assert.Single(error.Violations).Rule);
    }

    [Fact]
    public void Export_PerturbedScaling_FailsParity()
    {
        var (_, holdout) = TrainedModels.Split("penguins");
        var bundle = TrainedModels.Get("penguins", "lbfgs").Model;
        var error = Assert.Throws<MlopsException>(() => OnnxExporter.Export(bundle, holdout, model =>
        {
            var scale = FloatAttributes(model, "Scaler", "scale").First();
            scale[0] = (float)scale[0]! * 1.5f;
        }));
        Assert.Equal(ErrorCode.Rejected, error.Code);
        Assert.Contains("max |diff|", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_ReloadedBundle_OneInputPerColumnNoLabel_SignatureInTheModel()
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

        // The graph's inputs are exactly the feature columns: no label, no weight.
        Assert.Equal(trained.Model.Plan.Columns.Select(c => c.Name).Order(StringComparer.Ordinal), read.Inputs.Select(i => i.Name).Order(StringComparer.Ordinal));
    }

    /// <summary>The float-list attribute <paramref name="attribute"/> of every node of type <paramref name="op"/>.</summary>
    private static IEnumerable<IList> FloatAttributes(OnnxModelEditor model, string op, string attribute)
    {
        static object Get(IMessage m, string field) => m.Descriptor.FindFieldByName(field).Accessor.GetValue(m);
        var found = model.Nodes.Cast<IMessage>()
            .Where(n => (string)Get(n, "op_type") == op)
            .SelectMany(n => ((IList)Get(n, "attribute")).Cast<IMessage>())
            .Where(a => (string)Get(a, "name") == attribute)
            .Select(a => (IList)Get(a, "floats"))
            .ToList();
        Assert.NotEmpty(found);
        return found;
    }

    [Fact]
    public void Compare_Regression_AbsoluteUpToOneRelativeAbove()
    {
        var expected = Mlops.Modeling.Evaluation.PredictionSet.ForValues([0.5f, 5000f, 80f]);
        var close = OnnxExporter.Compare(expected, Mlops.Modeling.Evaluation.PredictionSet.ForValues([0.50005f, 5000.2f, 80.004f]));
        var far = OnnxExporter.Compare(expected, Mlops.Modeling.Evaluation.PredictionSet.ForValues([0.5002f, 5000f, 80f]));
        Assert.True(close.Passed, $"max {close.MaxAbsDifference}");
        Assert.False(far.Passed);
        Assert.False(OnnxExporter.Compare(expected, Mlops.Modeling.Evaluation.PredictionSet.ForValues([0.5f, 5001f, 80f])).Passed);
    }
}
