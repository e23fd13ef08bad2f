using Mlops.Catalog.Registry;
using Mlops.Core.Models;
using Mlops.Modeling.Serving;

namespace Mlops.Serving;

/// <summary>
/// One model version ready to serve: its predictor (one ONNX Runtime session, thread-safe, shared by every request)
/// and its card. Callers keep the instance for the whole request; a promotion never takes it away from them.
/// </summary>
public sealed class LoadedModel
{
    internal LoadedModel(ModelVersion version, OnnxPredictor predictor)
    {
        Version = version;
        Predictor = predictor;
    }

    /// <summary>Model name.</summary>
    public string Name => Version.Model;

    /// <summary>The registry entry (number, card, run).</summary>
    public ModelVersion Version { get; }

    /// <summary>The version number.</summary>
    public int Number => Version.Version;

    /// <summary>The predictor.</summary>
    public OnnxPredictor Predictor { get; }

    /// <summary>The signature requests are checked against.</summary>
    public ModelSignature Signature => Predictor.Signature;

    internal long LastUsedTicks;
}
