using System.Text.Json;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Serving;

/// <summary>Limits of an <see cref="OnnxPredictor"/>.</summary>
public sealed record OnnxPredictorOptions
{
    /// <summary>Most rows accepted in one call (rule <c>max-batch</c>).</summary>
    public int MaxBatchRows { get; init; } = 10_000;

    /// <summary>At most this many violations are reported for one request (the first ones, in row order).</summary>
    public int MaxViolations { get; init; } = 20;
}

/// <summary>One row's prediction.</summary>
public sealed record Prediction
{
    /// <summary>Predicted class (classification).</summary>
    public string? Label { get; init; }

    /// <summary>Probability per class label (classification).</summary>
    public IReadOnlyDictionary<string, float>? Probabilities { get; init; }

    /// <summary>Predicted value (regression).</summary>
    public float? Value { get; init; }

    /// <summary>Raw outputs by name, for a model without a known task (registered from elsewhere).</summary>
    public IReadOnlyDictionary<string, JsonElement>? Outputs { get; init; }
}

/// <summary>The predictions of a batch, in row order, plus warnings (e.g. ignored extra columns).</summary>
/// <param name="Predictions">One per input row.</param>
/// <param name="Warnings">Sentences for the caller; never echo values.</param>
public sealed record PredictionBatch(IReadOnlyList<Prediction> Predictions, IReadOnlyList<string> Warnings);

/// <summary>
/// Serves one model version with ONNX Runtime: the session is created once and shared by all threads; each call
/// checks its rows against the <see cref="ModelSignature"/>, batches them into one tensor per input and runs once.
/// Bad input throws <see cref="MlopsException"/> (InvalidInput) whose violations name the column and the rule:
/// <c>required</c>, <c>type</c>, <c>not-null</c>, <c>shape</c>, <c>max-batch</c>. Values are never echoed.
/// </summary>
public sealed class OnnxPredictor : IDisposable
{
    private readonly OnnxRunner _runner;
    private readonly HashSet<string> _inputNames;

    /// <summary>Loads <paramref name="model"/> into an ONNX Runtime session (Rejected when it does not load or does not match the signature).</summary>
    public OnnxPredictor(byte[] model, ModelSignature signature, OnnxPredictorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var unfeedable = signature.Inputs.FirstOrDefault(i => !i.IsFeedable());
        if (unfeedable is not null)
        {
            throw new MlopsException(ErrorCode.Rejected, $"Input '{unfeedable.Name}' has type {unfeedable.Type}, which the predictor cannot feed.",
                [new RuleViolation(unfeedable.Name, "type", "Inputs must be float, double, int64, string or bool tensors.")]);
        }

        Options = options ?? new OnnxPredictorOptions();
        _runner = new OnnxRunner(model, signature);
        _inputNames = signature.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The signature inputs are checked against.</summary>
    public ModelSignature Signature => _runner.Signature;

    /// <summary>The limits.</summary>
    public OnnxPredictorOptions Options { get; }

    /// <summary>Predicts a batch of rows (JSON objects: column name → value). JSON integers are accepted for float columns.</summary>
    public PredictionBatch Predict(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckBatch(rows.Count);
        var warnings = rows.SelectMany(r => r.Keys).Where(k => !_inputNames.Contains(k)).Distinct(StringComparer.Ordinal)
            .Select(k => $"Column '{k}' is not a model input and was ignored.").ToList();
        var columns = new Dictionary<string, Array>(StringComparer.Ordinal);
        var violations = new List<RuleViolation>();
        foreach (var field in Signature.Inputs)
        {
            columns[field.Name] = Column(field, rows.Count, r => rows[r].TryGetValue(field.Name, out var v) ? v : (JsonElement?)null, violations);
        }

        return Run(columns, rows.Count, violations, warnings);
    }

    /// <summary>Predicts a batch given column-wise (column name → one value per row), e.g. the <c>dataframe_split</c> shape.</summary>
    public PredictionBatch PredictColumns(IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var rowCount = columns.Count == 0 ? 0 : columns.Values.Max(c => c.Count);
        CheckBatch(rowCount);
        var warnings = columns.Keys.Where(k => !_inputNames.Contains(k)).Select(k => $"Column '{k}' is not a model input and was ignored.").ToList();
        var violations = new List<RuleViolation>();
        var arrays = new Dictionary<string, Array>(StringComparer.Ordinal);
        foreach (var field in Signature.Inputs)
        {
            columns.TryGetValue(field.Name, out var values);
            arrays[field.Name] = Column(field, rowCount, r => values is not null && r < values.Count ? values[r] : null, violations);
        }

        return Run(arrays, rowCount, violations, warnings);
    }

    private void CheckBatch(int rows)
    {
        if (rows > Options.MaxBatchRows)
        {
            throw MlopsException.Invalid("instances", "max-batch", $"A request may hold at most {Options.MaxBatchRows} rows; split it into smaller batches.");
        }
    }

    private PredictionBatch Run(Dictionary<string, Array> columns, int rows, List<RuleViolation> violations, List<string> warnings)
    {
        if (violations.Count > 0)
        {
            throw MlopsException.Invalid(violations.Take(Options.MaxViolations).ToList());
        }

        if (rows == 0)
        {
            return new PredictionBatch([], warnings);
        }

        var outputs = _runner.Run(columns, rows);
        return new PredictionBatch(ToPredictions(outputs, rows), warnings);
    }

    private IReadOnlyList<Prediction> ToPredictions(IReadOnlyDictionary<string, Array> outputs, int rows)
    {
        if (Signature.Task is TaskKind task)
        {
            var set = _runner.ToPredictionSet(outputs, rows);
            var classes = Signature.ClassLabels ?? [];
            return Enumerable.Range(0, rows).Select(r => task == TaskKind.Regression
                ? new Prediction { Value = set.Values[r] }
                : new Prediction
                {
                    Label = set.Labels[r],
                    Probabilities = classes.Select((c, k) => (c, k)).ToDictionary(p => p.c, p => set.Probability(r, p.k), StringComparer.Ordinal),
                }).ToList();
        }

        // Unknown task: each output split evenly per row, as JSON (a scalar when one value per row).
        return Enumerable.Range(0, rows).Select(r => new Prediction
        {
            Outputs = outputs.ToDictionary(o => o.Key, o => RowSlice(o.Value, rows, r), StringComparer.Ordinal),
        }).ToList();
    }

    private static JsonElement RowSlice(Array values, int rows, int row)
    {
        var width = values.Length / Math.Max(1, rows);
        var slice = Enumerable.Range(row * width, width).Select(i => values.GetValue(i)).ToArray();
        return JsonSerializer.SerializeToElement<object?>(width == 1 ? slice[0] : slice);
    }

    private Array Column(SignatureField field, int rows, Func<int, JsonElement?> valueAt, List<RuleViolation> violations)
    {
        var width = OnnxRunner.WidthOf(field);
        var n = rows * width;
        Array array = field.Type switch
        {
            SignatureTypes.Float => new float[n],
            SignatureTypes.Double => new double[n],
            SignatureTypes.Int64 => new long[n],
            SignatureTypes.String => new string[n],
            _ => new bool[n],
        };
        for (var r = 0; r < rows && violations.Count < Options.MaxViolations; r++)
        {
            var value = valueAt(r);
            if (value is null || value.Value.ValueKind == JsonValueKind.Undefined)
            {
                violations.Add(new RuleViolation(field.Name, "required", $"Row {r}: column '{field.Name}' is required."));
                continue;
            }

            if (width == 1)
            {
                Set(field, array, r, value.Value, r, violations);
            }
            else if (value.Value.ValueKind != JsonValueKind.Array || value.Value.GetArrayLength() != width)
            {
                violations.Add(new RuleViolation(field.Name, "shape", $"Row {r}: column '{field.Name}' must be an array of {width} values."));
            }
            else
            {
                var i = 0;
                foreach (var item in value.Value.EnumerateArray())
                {
                    Set(field, array, (r * width) + i++, item, r, violations);
                }
            }
        }

        return array;
    }

    private static void Set(SignatureField field, Array array, int index, JsonElement value, int row, List<RuleViolation> violations)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!field.Nullable)
            {
                violations.Add(new RuleViolation(field.Name, "not-null", $"Row {row}: column '{field.Name}' may not be null."));
                return;
            }

            // Our graphs impute: NaN for numbers, "" (no category: all zeros) for strings.
            switch (array)
            {
                case float[] f: f[index] = float.NaN; break;
                case double[] d: d[index] = double.NaN; break;
                case string[] s: s[index] = ""; break;
                default: violations.Add(new RuleViolation(field.Name, "not-null", $"Row {row}: column '{field.Name}' may not be null.")); break;
            }

            return;
        }

        var ok = array switch
        {
            float[] f when value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var x) => Assign(() => f[index] = (float)x),
            // Boolean feature columns are float inputs (1/0) in converter-exported models.
            float[] f when value.ValueKind is JsonValueKind.True or JsonValueKind.False => Assign(() => f[index] = value.GetBoolean() ? 1f : 0f),
            double[] d when value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var x) => Assign(() => d[index] = x),
            long[] l when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var x) => Assign(() => l[index] = x),
            string[] s when value.ValueKind == JsonValueKind.String => Assign(() => s[index] = value.GetString()!),
            bool[] b when value.ValueKind is JsonValueKind.True or JsonValueKind.False => Assign(() => b[index] = value.GetBoolean()),
            _ => false,
        };
        if (!ok)
        {
            var expected = field.Type switch
            {
                SignatureTypes.Float or SignatureTypes.Double => "a number",
                SignatureTypes.Int64 => "an integer",
                SignatureTypes.String => "a string",
                _ => "true or false",
            };
            violations.Add(new RuleViolation(field.Name, "type", $"Row {row}: column '{field.Name}' must be {expected}."));
        }
    }

    private static bool Assign(Action set)
    {
        set();
        return true;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose() => _runner.Dispose();
}
