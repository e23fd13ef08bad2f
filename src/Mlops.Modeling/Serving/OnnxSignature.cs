using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Serving;

/// <summary>The element type names a signature uses.</summary>
public static class SignatureTypes
{
    /// <summary>32-bit float (JSON numbers; null → NaN when nullable).</summary>
    public const string Float = "float";
    /// <summary>64-bit float.</summary>
    public const string Double = "double";
    /// <summary>64-bit integer.</summary>
    public const string Int64 = "int64";
    /// <summary>UTF-8 string.</summary>
    public const string String = "string";
    /// <summary>Boolean.</summary>
    public const string Bool = "bool";
}

/// <summary>One named, typed tensor of a model's interface.</summary>
/// <param name="Name">Tensor name; for inputs, the original column name.</param>
/// <param name="Type">Element type: float, double, int64, string or bool (other ONNX types keep their lower-case name and cannot be fed).</param>
/// <param name="Shape">Dimensions; −1 is the dynamic batch size.</param>
/// <param name="Nullable">True when a missing value (JSON null) is accepted.</param>
public sealed record SignatureField(string Name, string Type, IReadOnlyList<long> Shape, bool Nullable);

/// <summary>
/// A model's interface: typed inputs, outputs, task and class labels. Stored with every model version (and inside our
/// ONNX files as metadata <c>mlops.signature</c>); a wire contract: add fields, never rename.
/// </summary>
public sealed record ModelSignature
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The task, or null for a model registered from elsewhere whose outputs we do not interpret.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>The inputs, one per original column for our models.</summary>
    public required IReadOnlyList<SignatureField> Inputs { get; init; }

    /// <summary>The outputs.</summary>
    public required IReadOnlyList<SignatureField> Outputs { get; init; }

    /// <summary>Class labels in probability order (classification).</summary>
    public IReadOnlyList<string>? ClassLabels { get; init; }

    /// <summary>The signature as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ModelingJson.Options);

    /// <summary>Reads a stored signature.</summary>
    public static ModelSignature FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSignature>(json, ModelingJson.Options) ?? throw new ArgumentException("Empty signature.", nameof(json));

    /// <summary>
    /// The signature of an ONNX model, e.g. one trained elsewhere: it must load in ONNX Runtime (else
    /// <c>Rejected</c>); inputs and outputs are read from the graph. When the model carries our
    /// <c>mlops.signature</c> metadata and it agrees with the graph, task and class labels come from there too.
    /// </summary>
    public static ModelSignature FromOnnx(byte[] model)
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
            if (session.ModelMetadata.CustomMetadataMap.TryGetValue(Onnx.OnnxModelWriter.SignatureMetadataKey, out var json))
            {
                var stored = FromJson(json);
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
