using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;

namespace Mlops.Modeling.Tests.Evaluation;

public sealed class ScorerTests
{
    [Theory]
    [InlineData("penguin-sex", "lightgbm")]
    [InlineData("weather", "sdca")]
    [InlineData("cars", "fasttree")]
    public void Score_ExportedModel_SameMetricsAsTraining(string dataset, string trainer)
    {
        var (_, spec) = TrainedModels.Dataset(dataset);
        var (_, holdout) = TrainedModels.Split(dataset);
        var trained = TrainedModels.Get(dataset, trainer);
        var export = OnnxExporter.Export(trained.Model, holdout);
        var metrics = Scorer.Score(export.Model, export.Signature, holdout, spec.Target);
        Assert.Equal(trained.Metrics.Keys.Order(), metrics.Keys.Order());
        foreach (var (name, value) in trained.Metrics)
        {
            Assert.Equal(value, metrics[name], 4);
        }
    }
}
