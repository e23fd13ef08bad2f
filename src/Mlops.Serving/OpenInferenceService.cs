using System.Globalization;
using System.Text.Json;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Models;
using Mlops.Core.Projects;
using Mlops.Modeling.Serving;

namespace Mlops.Serving;

/// <summary>
/// The Open Inference Protocol (KServe V2 REST) over the same predictors, on the <c>production</c> alias: input tensors
/// (one per column) become columns; predictions become <c>label</c> + <c>probabilities</c> or <c>value</c> tensors.
/// Bad requests are <see cref="MlopsException"/> InvalidInput naming the field (<c>inputs[1].shape</c>, ...).
/// </summary>
public sealed class OpenInferenceService
{
    /// <summary>The platform name reported in metadata.</summary>
    public const string Platform = "onnxruntime_onnx";

    private static readonly HashSet<string> NumericTypes = new(StringComparer.Ordinal)
    {
        "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FP16", "FP32", "FP64",
    };

    private readonly PredictionService _predictions;
    private readonly ModelCache _cache;
    private readonly ModelRegistry _registry;
    private readonly ServingOptions _options;

    /// <summary>Creates the service.</summary>
    public OpenInferenceService(PredictionService predictions, ModelCache cache, ModelRegistry registry, ServingOptions? options = null)
    {
        _predictions = predictions ?? throw new ArgumentNullException(nameof(predictions));
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _options = options ?? new ServingOptions();
    }

    /// <summary>The readiness answer: this process serves once it runs (models load on first use).</summary>
    public static ReadyResponse Ready() => new(true);

    /// <summary>Runs inference from raw UTF-8 JSON.</summary>
    public Task<InferResponse> InferAsync(string model, ReadOnlyMemory<byte> utf8Body, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        return InferAsync(model, ScoringRequestParser.ParseJson(utf8Body, _options.MaxBodyBytes), cancellationToken);
    }

    /// <summary>Runs inference on the production version.</summary>
    public async Task<InferResponse> InferAsync(string model, JsonElement body, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        var (id, input, requested) = ReadRequest(body, _options.MaxBatchRows);
        var (loaded, batch, ids) = await _predictions.ScoreAsync(model, ModelSelector.Production, input, cancellationToken).ConfigureAwait(false);
        var outputs = OutputsOf(loaded.Signature, batch.Predictions);
        if (requested is not null)
        {
            for (var i = 0; i < requested.Count; i++)
            {
                if (!outputs.Any(o => o.Name == requested[i]))
                {
                    throw MlopsException.Invalid($"outputs[{i}].name", "unknown-output",
                        $"The model has no output '{ScoringRequestParser.Shorten(requested[i])}'; it has {string.Join(", ", outputs.Select(o => $"'{o.Name}'"))}.");
                }
            }

            outputs = outputs.Where(o => requested.Contains(o.Name, StringComparer.Ordinal)).ToList();
        }

        var warnings = input.Warnings.Concat(batch.Warnings).ToList();
        return new InferResponse(loaded.Name, loaded.Number.ToString(CultureInfo.InvariantCulture), id, outputs,
            new InferResponseParameters(ids, warnings.Count > 0 ? warnings : null));
    }

    /// <summary>Name, versions, platform, and the production version's inputs and outputs.</summary>
    public async Task<ModelMetadataResponse> GetMetadataAsync(string model, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        var loaded = await _cache.GetAsync(model, ModelSelector.Production, cancellationToken).ConfigureAwait(false);
        var description = await _registry.GetModelAsync(model, cancellationToken).ConfigureAwait(false);
        var versions = description.Versions.Where(v => v.Ready).Select(v => v.Version).Order()
            .Select(v => v.ToString(CultureInfo.InvariantCulture)).ToList();
        var signature = loaded.Signature;
        var inputs = signature.Inputs.Select(i => new TensorMetadata(i.Name, DatatypeOf(i.Type), i.Shape.Count > 0 ? i.Shape : [-1])).ToList();
        var outputs = signature.Task switch
        {
            TaskKind.Regression => [new TensorMetadata("value", "FP32", [-1])],
            TaskKind.Binary or TaskKind.Multiclass =>
                [new TensorMetadata("label", "BYTES", [-1]), new TensorMetadata("probabilities", "FP32", [-1, signature.ClassLabels?.Count ?? -1])],
            _ => signature.Outputs.Select(o => new TensorMetadata(o.Name, DatatypeOf(o.Type), o.Shape.Count > 0 ? o.Shape : [-1])).ToList(),
        };
        return new ModelMetadataResponse(model, versions, Platform, inputs, outputs);
    }

    /// <summary>The Open Inference Protocol datatype of a signature element type.</summary>
    internal static string DatatypeOf(string signatureType) => signatureType switch
    {
        SignatureTypes.Float => "FP32",
        SignatureTypes.Double => "FP64",
        SignatureTypes.Int64 => "INT64",
        SignatureTypes.String => "BYTES",
        SignatureTypes.Bool => "BOOL",
        var other => other.ToUpperInvariant(),
    };

    /// <summary>Reads an infer request into columns (one per input tensor).</summary>
    internal static (string? Id, ScoringInput Input, IReadOnlyList<string>? Outputs) ReadRequest(JsonElement body, int maxRows)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid("$", "type", "The body must be a JSON object with 'inputs' (Open Inference Protocol).");
        }

        string? id = null;
        if (body.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw MlopsException.Invalid("id", "type", "'id' must be a string.");
        }

        if (!body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
        {
            throw MlopsException.Invalid("inputs", inputs.ValueKind == JsonValueKind.Undefined ? "required" : "type",
                "'inputs' must be a non-empty list of tensors {\"name\", \"shape\", \"datatype\", \"data\"}.");
        }

        var columns = new Dictionary<string, IReadOnlyList<JsonElement>>(StringComparer.Ordinal);
        long? rows = null;
        var t = 0;
        foreach (var tensor in inputs.EnumerateArray())
        {
            var field = $"inputs[{t++}]";
            var (name, shape, data) = ReadTensor(tensor, field);
            var n = shape[0];
            if (n > maxRows)
            {
                throw MlopsException.Invalid(field + ".shape", "max-batch", $"'{field}' holds {n} rows; at most {maxRows} are accepted per request. Split it into smaller batches.");
            }

            rows ??= n;
            if (n != rows)
            {
                throw MlopsException.Invalid(field + ".shape", "shape", $"'{field}.shape[0]' is {n} but the first input has {rows} rows; every input needs one entry per row.");
            }

            if (!columns.TryAdd(name, ToColumn(shape, data)))
            {
                throw MlopsException.Invalid(field + ".name", "duplicate", $"Input '{ScoringRequestParser.Shorten(name)}' appears twice.");
            }
        }

        if (rows == 0)
        {
            throw MlopsException.Invalid("inputs[0].shape", "not-empty", "The inputs hold no rows; send at least one.");
        }

        List<string>? requested = null;
        if (body.TryGetProperty("outputs", out var outputs) && outputs.ValueKind != JsonValueKind.Null)
        {
            if (outputs.ValueKind != JsonValueKind.Array)
            {
                throw MlopsException.Invalid("outputs", "type", "'outputs' must be a list of {\"name\"} objects.");
            }

            requested = [];
            var o = 0;
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
                {
                    throw MlopsException.Invalid($"outputs[{o}].name", "required", $"'outputs[{o}]' must be an object with a string 'name'.");
                }

                requested.Add(n.GetString()!);
                o++;
            }
        }

        return (id, ScoringInput.FromColumns(ScoringShape.InferenceTensors, columns, (int)rows!.Value), requested);
    }

    private static (string Name, long[] Shape, List<JsonElement> Data) ReadTensor(JsonElement tensor, string field)
    {
        if (tensor.ValueKind != JsonValueKind.Object)
        {
            throw MlopsException.Invalid(field, "type", $"'{field}' must be an object {{\"name\", \"shape\", \"datatype\", \"data\"}}.");
        }

        if (!tensor.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || nameElement.GetString()!.Length == 0)
        {
            throw MlopsException.Invalid(field + ".name", "required", $"'{field}.name' must be the input's (column's) name.");
        }

        if (!tensor.TryGetProperty("datatype", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw MlopsException.Invalid(field + ".datatype", "required", $"'{field}.datatype' is required (BYTES, FP32, FP64, INT64, BOOL, ...).");
        }

        var datatype = typeElement.GetString()!;
        if (datatype != "BYTES" && datatype != "BOOL" && !NumericTypes.Contains(datatype))
        {
            throw MlopsException.Invalid(field + ".datatype", "datatype", $"'{field}.datatype' must be an Open Inference Protocol type: BOOL, INT8-64, UINT8-64, FP16, FP32, FP64 or BYTES.");
        }

        if (!tensor.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array || shapeElement.GetArrayLength() == 0 ||
            shapeElement.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0))
        {
            throw MlopsException.Invalid(field + ".shape", "shape", $"'{field}.shape' must be a non-empty list of non-negative integers, the first being the row count.");
        }

        var shape = shapeElement.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (!tensor.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.Array)
        {
            throw MlopsException.Invalid(field + ".data", "required", $"'{field}.data' must be a list of values in row-major order.");
        }

        var data = new List<JsonElement>();
        Flatten(dataElement, data);
        var expected = shape.Aggregate(1L, (a, b) => a * b);
        if (data.Count != expected)
        {
            throw MlopsException.Invalid(field + ".data", "shape", $"'{field}.data' holds {data.Count} values but shape [{string.Join(", ", shape)}] needs {expected}.");
        }

        for (var i = 0; i < data.Count; i++)
        {
            var kind = data[i].ValueKind;
            var fits = kind == JsonValueKind.Null || datatype switch
            {
                "BYTES" => kind == JsonValueKind.String,
                "BOOL" => kind is JsonValueKind.True or JsonValueKind.False,
                _ => kind == JsonValueKind.Number,
            };
            if (!fits)
            {
                throw MlopsException.Invalid(field + ".data", "datatype", $"'{field}.data[{i}]' does not match datatype {datatype}.");
            }
        }

        return (nameElement.GetString()!, shape, data);
    }

    private static void Flatten(JsonElement array, List<JsonElement> into)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                Flatten(item, into);
            }
            else
            {
                into.Add(item);
            }
        }
    }

    private static IReadOnlyList<JsonElement> ToColumn(long[] shape, List<JsonElement> data)
    {
        var rows = (int)shape[0];
        if (rows == 0)
        {
            return [];
        }

        var width = data.Count / rows;
        if (width == 1)
        {
            return data;
        }

        // A vector input: each row gets its slice as a JSON array.
        var column = new JsonElement[rows];
        for (var r = 0; r < rows; r++)
        {
            column[r] = JsonSerializer.SerializeToElement(data.GetRange(r * width, width));
        }

        return column;
    }

    private static List<InferOutputTensor> OutputsOf(ModelSignature signature, IReadOnlyList<Prediction> predictions)
    {
        var n = predictions.Count;
        switch (signature.Task)
        {
            case TaskKind.Regression:
                return [new InferOutputTensor("value", "FP32", [n], predictions.Select(p => p.Value ?? float.NaN).ToArray())];
            case TaskKind.Binary or TaskKind.Multiclass:
                var classes = signature.ClassLabels ?? [];
                var probabilities = new float[n * classes.Count];
                for (var r = 0; r < n; r++)
                {
                    for (var k = 0; k < classes.Count; k++)
                    {
                        probabilities[(r * classes.Count) + k] = predictions[r].Probabilities?.GetValueOrDefault(classes[k]) ?? float.NaN;
                    }
                }

                return
                [
                    new InferOutputTensor("label", "BYTES", [n], predictions.Select(p => p.Label ?? "").ToArray()),
                    new InferOutputTensor("probabilities", "FP32", [n, classes.Count], probabilities, new Dictionary<string, object> { ["labels"] = classes }),
                ];
            default:
                // A model from elsewhere: each raw output, flattened per row.
                return signature.Outputs.Select(o =>
                {
                    var values = new List<JsonElement>();
                    foreach (var p in predictions)
                    {
                        if (p.Outputs?.TryGetValue(o.Name, out var v) == true)
                        {
                            if (v.ValueKind == JsonValueKind.Array)
                            {
                                Flatten(v, values);
                            }
                            else
                            {
                                values.Add(v);
                            }
                        }
                    }

                    var width = n == 0 ? 0 : values.Count / n;
                    IReadOnlyList<long> shape = width == 1 ? [n] : [n, width];
                    return new InferOutputTensor(o.Name, DatatypeOf(o.Type), shape, values);
                }).ToList();
        }
    }
}
