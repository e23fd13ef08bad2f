using Microsoft.ML;
using Mlops.Core.Data;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Training;

/// <summary>
/// A trained model in a form another process can reload: the ML.NET model (zip bytes: the whole estimator chain,
/// featurization included) and the <see cref="FeaturePlan"/> naming the columns it reads. Store both; rebuild with
/// <see cref="FromParts"/>.
/// </summary>
public sealed class ModelBundle
{
    private readonly Lazy<ITransformer> _transformer;
    private readonly MLContext _ml;

    private ModelBundle(FeaturePlan plan, byte[] mlNetModel, ITransformer? fitted, int seed)
    {
        Plan = plan;
        MlNetModel = mlNetModel;
        _ml = new MLContext(seed);
        _transformer = new Lazy<ITransformer>(() => fitted ?? _ml.Model.Load(new MemoryStream(mlNetModel, writable: false), out _));
    }

    /// <summary>The columns the model reads, the task and the class labels.</summary>
    public FeaturePlan Plan { get; }

    /// <summary>The ML.NET model as saved by <c>MLContext.Model.Save</c> (a zip).</summary>
    public byte[] MlNetModel { get; }

    /// <summary>The plan as JSON, for storage beside <see cref="MlNetModel"/>.</summary>
    public string PlanJson => Plan.ToJson();

    /// <summary>Rebuilds a bundle from its stored parts.</summary>
    public static ModelBundle FromParts(byte[] mlNetModel, string planJson)
    {
        ArgumentNullException.ThrowIfNull(mlNetModel);
        return new ModelBundle(FeaturePlan.FromJson(planJson), mlNetModel, null, 0);
    }

    internal static ModelBundle FromFitted(FeaturePlan plan, MLContext ml, ITransformer fitted, DataTable train)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(fitted, MlNetData.ToDataView(ml, plan, train.SelectRows([]), withLabel: false).Schema, stream);
        return new(plan, stream.ToArray(), fitted, 0);
    }

    /// <summary>The loaded ML.NET transformer.</summary>
    internal ITransformer Transformer => _transformer.Value;

    /// <summary>The context the transformer belongs to (the ONNX converter needs one).</summary>
    internal MLContext Context => _ml;

    /// <summary>ML.NET's predictions for <paramref name="table"/> (the reference the ONNX export is checked against).</summary>
    public PredictionSet Predict(DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        lock (_ml)
        {
            var scored = Transformer.Transform(MlNetData.ToDataView(_ml, Plan, table, withLabel: false));
            return MlNetData.ReadPredictions(scored, Plan);
        }
    }
}
