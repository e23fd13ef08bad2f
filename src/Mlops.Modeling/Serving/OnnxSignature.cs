using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Serving;

/// <summary>Reads the signature of any ONNX model from its graph (and our <c>mlops.signature</c> metadata when present).</summary>
public static class OnnxSignature
{
    /// <summary>
    /// The signature of an ONNX model, e.g. one trained elsewhere: it must load in ONNX Runtime (else
    /// <c>Rejected</c>); inputs and outputs are read from the graph. When the model carries our
    /// <c>mlops.signature</c> metadata and it agrees with the graph, task and class labels come from there too.
    /// </summary>
    public static ModelSignature Read(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        InferenceSession session;
        try
        {
            session = new InferenceSession(model);
        }
        catch (OnnxRuntimeException e)
        {
            throw new MlopsException(ErrorCode.Rejected, "The model does not load in ONNX Runtime: " + e.Message,
                [new RuleViolation("model", "onnx-load", "The file is not an ONNX model that ONNX Runtime can load.")], e);
        }

        using (session)
        {
            var inputs = session.InputMetadata.Select(p => Field(p.Key, p.Value, nullableFloats: false)).ToList();
            var outputs = session.OutputMetadata.Select(p => Field(p.Key, p.Value, nullableFloats: false)).ToList();
            var graph = new ModelSignature { Inputs = inputs, Outputs = outputs };
            if (session.ModelMetadata.CustomMetadataMap.TryGetValue(Onnx.OnnxOutputs.SignatureMetadataKey, out var json))
            {
                var stored = ModelSignature.FromJson(json);
                if (SameTensors(stored.Inputs, inputs) && SameTensors(stored.Outputs, outputs))
                {
                    return stored;
                }
            }

            return graph;
        }
    }

    private static bool SameTensors(IReadOnlyList<SignatureField> a, IReadOnlyList<SignatureField> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => y.Name == x.Name && y.Type == x.Type));

    private static SignatureField Field(string name, NodeMetadata metadata, bool nullableFloats)
    {
        if (!metadata.IsTensor)
        {
            return new SignatureField(name, metadata.OnnxValueType.ToString().ToLowerInvariant(), [], false);
        }

        var type = metadata.ElementDataType switch
        {
            TensorElementType.Float => SignatureTypes.Float,
            TensorElementType.Double => SignatureTypes.Double,
            TensorElementType.Int64 => SignatureTypes.Int64,
            TensorElementType.String => SignatureTypes.String,
            TensorElementType.Bool => SignatureTypes.Bool,
            var other => other.ToString().ToLowerInvariant(),
        };
        return new SignatureField(name, type, metadata.Dimensions.Select(d => (long)d).ToList(), nullableFloats && type == SignatureTypes.Float);
    }
}

/// <summary>Helpers for signature checks.</summary>
internal static class SignatureExtensions
{
    public static bool IsFeedable(this SignatureField field) =>
        field.Type is SignatureTypes.Float or SignatureTypes.Double or SignatureTypes.Int64 or SignatureTypes.String or SignatureTypes.Bool;
}
