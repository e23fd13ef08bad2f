using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;

namespace Mlops.Modeling.Serving;

/// <summary>
/// One ONNX Runtime session and the tensor plumbing around it: column arrays in, named outputs out. ONNX Runtime's
/// <c>Run</c> is safe to call from many threads on one session, so one runner serves a model version.
/// </summary>
internal sealed class OnnxRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRunner(byte[] model, ModelSignature signature)
    {
        ArgumentNullException.ThrowIfNull(model);
        Signature = signature ?? throw new ArgumentNullException(nameof(signature));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new MlopsException(ErrorCode.Rejected, "The model does not load in ONNX Runtime: " + e.Message,
                [new RuleViolation("model", "onnx-load", "The file is not an ONNX model that ONNX Runtime can load.")], e);
        }

        foreach (var input in signature.Inputs)
        {
            if (!_session.InputMetadata.ContainsKey(input.Name))
            {
                throw new MlopsException(ErrorCode.Rejected, $"The signature names input '{input.Name}', which the model does not have.",
                    [new RuleViolation(input.Name, "signature", "The signature does not match the model's inputs.")]);
            }
        }
    }

    public ModelSignature Signature { get; }

    /// <summary>Values per row of an input: the product of its non-batch dimensions (dynamic ones count as 1).</summary>
    public static int WidthOf(SignatureField field) => (int)field.Shape.Skip(1).Select(d => d < 0 ? 1 : d).Aggregate(1L, (a, b) => a * b);

    /// <summary>Runs one batch. <paramref name="columns"/> holds, per input, a typed array of <c>rows × width</c> values.</summary>
    public IReadOnlyDictionary<string, Array> Run(IReadOnlyDictionary<string, Array> columns, int rows)
    {
        var inputs = new List<NamedOnnxValue>(Signature.Inputs.Count);
        foreach (var field in Signature.Inputs)
        {
            var dims = new[] { rows }.Concat(field.Shape.Skip(1).Select(d => d < 0 ? 1 : (int)d)).ToArray();
            if (field.Shape.Count <= 1)
            {
                dims = [rows];
            }

            var data = columns[field.Name];
            inputs.Add(data switch
            {
                float[] f => NamedOnnxValue.CreateFromTensor(field.Name, new DenseTensor<float>(f, dims)),
                double[] d => NamedOnnxValue.CreateFromTensor(field.Name, new DenseTensor<double>(d, dims)),
                long[] l => NamedOnnxValue.CreateFromTensor(field.Name, new DenseTensor<long>(l, dims)),
                string[] s => NamedOnnxValue.CreateFromTensor(field.Name, new DenseTensor<string>(s, dims)),
                bool[] b => NamedOnnxValue.CreateFromTensor(field.Name, new DenseTensor<bool>(b, dims)),
                _ => throw new ArgumentException($"Unsupported array for input '{field.Name}'.", nameof(columns)),
            });
        }

        using var results = _session.Run(inputs);
        var outputs = new Dictionary<string, Array>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            if (result.ValueType != OnnxValueType.ONNX_TYPE_TENSOR)
            {
                continue; // Sequences and maps (e.g. ZipMap) are not interpreted; our own models never emit them.
            }

            outputs[result.Name] = result.ElementType switch
            {
                TensorElementType.Float => result.AsTensor<float>().ToArray(),
                TensorElementType.Double => result.AsTensor<double>().ToArray(),
                TensorElementType.Int64 => result.AsTensor<long>().ToArray(),
                TensorElementType.String => result.AsTensor<string>().ToArray(),
                TensorElementType.Bool => result.AsTensor<bool>().ToArray(),
                TensorElementType.Int32 => result.AsTensor<int>().ToArray(),
                _ => Array.Empty<float>(),
            };
        }

        return outputs;
    }

    /// <summary>Our output conventions (the converter's names, or the earlier exporter's) as a <see cref="PredictionSet"/>.</summary>
    public PredictionSet ToPredictionSet(IReadOnlyDictionary<string, Array> outputs, int rows)
    {
        var classes = Signature.ClassLabels ?? [];
        switch (Signature.Task)
        {
            case TaskKind.Regression:
                {
                    var values = Find(outputs, OnnxOutputs.Score) ?? Find(outputs, OnnxOutputs.LegacyScore) ?? outputs.Values.FirstOrDefault(v => v is float[]);
                    return PredictionSet.ForValues(values as float[] ?? throw MissingOutput(OnnxOutputs.Score));
                }

            case TaskKind.Binary when Find(outputs, OnnxOutputs.Probability) is float[] positive:
                {
                    // The converter gives the positive class only; the negative one is 1 − p, as ML.NET's own reading.
                    var labels = Find(outputs, OnnxOutputs.PredictedLabel) as bool[] ?? throw MissingOutput(OnnxOutputs.PredictedLabel);
                    return PredictionSet.ForClasses(TaskKind.Binary, classes, labels.Select(b => classes[b ? 1 : 0]).ToArray(),
                        positive.SelectMany(p => new[] { 1f - p, p }).ToArray());
                }

            case TaskKind.Binary or TaskKind.Multiclass:
                {
                    var labels = Find(outputs, OnnxOutputs.PredictedLabel) as string[] ?? Find(outputs, OnnxOutputs.LegacyLabel) as string[] ?? throw MissingOutput(OnnxOutputs.LegacyLabel);
                    var probabilities = Find(outputs, OnnxOutputs.Score) as float[] ?? Find(outputs, OnnxOutputs.LegacyProbabilities) as float[] ?? throw MissingOutput(OnnxOutputs.LegacyProbabilities);
                    return PredictionSet.ForClasses(Signature.Task.Value, classes, labels, probabilities);
                }

            default:
                throw new MlopsException(ErrorCode.Rejected, "The model's signature names no task, so its outputs cannot be scored.",
                    [new RuleViolation("task", "required", "Register the model with a task and our output names to score it.")]);
        }
    }

    private static Array? Find(IReadOnlyDictionary<string, Array> outputs, string name) => outputs.TryGetValue(name, out var value) ? value : null;

    /// <summary>The input columns of <paramref name="table"/> as tensors' backing arrays (missing numbers are NaN, missing strings empty, missing booleans false).</summary>
    public IReadOnlyDictionary<string, Array> ColumnsOf(DataTable table, Func<string, bool>? missingBoolean = null)
    {
        var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
        foreach (var field in Signature.Inputs)
        {
            if (!table.Contains(field.Name))
            {
                throw MlopsException.Invalid(field.Name, "required", $"Column '{field.Name}' is missing.");
            }

            if (WidthOf(field) != 1)
            {
                throw MlopsException.Invalid(field.Name, "shape", $"Input '{field.Name}' takes several values per row; tables supply one.");
            }

            var column = table[field.Name];
            columns[field.Name] = (field.Type, column) switch
            {
                (SignatureTypes.Float, NumericColumn n) => n.Values.Select(v => (float)v).ToArray(),
                (SignatureTypes.Double, NumericColumn n) => n.Values.ToArray(),
                (SignatureTypes.Int64, NumericColumn n) => n.Values.Select(v => double.IsNaN(v) ? 0L : (long)v).ToArray(),
                (SignatureTypes.Float, BooleanColumn b) => b.Values.Select(v => v is { } x ? (x ? 1f : 0f) : float.NaN).ToArray(),
                (SignatureTypes.String, StringColumn s) => s.Values.Select(v => v ?? "").ToArray(),
                (SignatureTypes.Bool, BooleanColumn b) => b.Values.Select(v => v ?? missingBoolean?.Invoke(field.Name) ?? false).ToArray(),
                _ => throw MlopsException.Invalid(field.Name, "type", $"Column '{field.Name}' is {column.Kind.ToString().ToLowerInvariant()}; the model wants {field.Type}."),
            };
        }

        return columns;
    }

    /// <summary>Scores a whole table in one batch.</summary>
    public PredictionSet Predict(DataTable table, Func<string, bool>? missingBoolean = null) =>
        ToPredictionSet(Run(ColumnsOf(table, missingBoolean), table.RowCount), table.RowCount);

    private static MlopsException MissingOutput(string name) =>
        new(ErrorCode.Rejected, $"The model has no '{name}' output of the expected type.", [new RuleViolation(name, "output", "The model's outputs do not follow the expected names.")]);

    public void Dispose() => _session.Dispose();
}
