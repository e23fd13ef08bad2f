using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Core.Projects;

namespace Mlops.Core.Models;

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

    // The stored format: camelCase, nulls left out, NaN/Infinity allowed (part of the contract).
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The signature as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored signature.</summary>
    public static ModelSignature FromJson(string json) =>
        JsonSerializer.Deserialize<ModelSignature>(json, Json) ?? throw new ArgumentException("Empty signature.", nameof(json));
}
