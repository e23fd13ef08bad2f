using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Serving;

/// <summary>Open Inference Protocol (KServe V2) inference request: <c>POST /v2/models/{name}/infer</c>.</summary>
public sealed record InferRequest
{
    /// <summary>Optional request id, echoed in the response.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>One tensor per model input column, each of shape <c>[n]</c> or <c>[n, 1]</c> (or <c>[n, k]</c> for a vector input).</summary>
    [JsonPropertyName("inputs")]
    public required IReadOnlyList<InferInputTensor> Inputs { get; init; }

    /// <summary>Outputs to return (default: all).</summary>
    [JsonPropertyName("outputs")]
    public IReadOnlyList<InferRequestedOutput>? Outputs { get; init; }
}

/// <summary>One input tensor.</summary>
/// <param name="Name">The model input (column) name.</param>
/// <param name="Shape">Dimensions; the first is the row count.</param>
/// <param name="Datatype">BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES (strings).</param>
/// <param name="Data">Values in row-major order, flat or nested.</param>
public sealed record InferInputTensor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("data")] JsonElement Data);

/// <summary>A requested output.</summary>
/// <param name="Name">Output name: <c>label</c>, <c>probabilities</c> (classification) or <c>value</c> (regression).</param>
public sealed record InferRequestedOutput([property: JsonPropertyName("name")] string Name);

/// <summary>
/// Open Inference Protocol inference response. Classification: <c>label</c> (BYTES, <c>[n]</c>) and
/// <c>probabilities</c> (FP32, <c>[n, k]</c>, row-major; class order in its <c>parameters.labels</c>); regression:
/// <c>value</c> (FP32, <c>[n]</c>). <c>parameters.prediction_ids</c> holds one id per row.
/// </summary>
/// <param name="ModelName">Model name.</param>
/// <param name="ModelVersion">The version that answered.</param>
/// <param name="Id">The request's id, when it sent one.</param>
/// <param name="Outputs">Output tensors.</param>
/// <param name="Parameters">prediction_ids, and warnings when any.</param>
public sealed record InferResponse(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonPropertyName("outputs")] IReadOnlyList<InferOutputTensor> Outputs,
    [property: JsonPropertyName("parameters")] InferResponseParameters Parameters);

/// <summary>Extra response fields.</summary>
/// <param name="PredictionIds">One id per row, for feedback.</param>
/// <param name="Warnings">Ignored inputs; absent when none.</param>
public sealed record InferResponseParameters(
    [property: JsonPropertyName("prediction_ids")] IReadOnlyList<string> PredictionIds,
    [property: JsonPropertyName("warnings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Warnings);

/// <summary>One output tensor.</summary>
/// <param name="Name">Output name.</param>
/// <param name="Datatype">BYTES, FP32, ...</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Values, flattened row-major (strings for BYTES, numbers otherwise).</param>
/// <param name="Parameters">For <c>probabilities</c>: <c>labels</c>, the class of each column.</param>
public sealed record InferOutputTensor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape,
    [property: JsonPropertyName("data")] object Data,
    [property: JsonPropertyName("parameters"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object>? Parameters = null);

/// <summary>Open Inference Protocol model metadata: <c>GET /v2/models/{name}</c>.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Versions">Versions that can serve, oldest first.</param>
/// <param name="Platform">Always <c>onnxruntime_onnx</c>.</param>
/// <param name="Inputs">Inputs of the production version.</param>
/// <param name="Outputs">Outputs the infer route returns.</param>
public sealed record ModelMetadataResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<TensorMetadata> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<TensorMetadata> Outputs);

/// <summary>A tensor's name, type and shape (−1: any size).</summary>
/// <param name="Name">Name.</param>
/// <param name="Datatype">Open Inference Protocol datatype.</param>
/// <param name="Shape">Dimensions.</param>
public sealed record TensorMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape);

/// <summary><c>GET /v2/health/ready</c>.</summary>
/// <param name="Ready">True when the server can take requests.</param>
public sealed record ReadyResponse([property: JsonPropertyName("ready")] bool Ready);
