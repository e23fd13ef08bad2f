using System.Globalization;
using Microsoft.ML;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Featurization;
using Mlops.Modeling.Serving;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Onnx;

/// <summary>One row where ONNX and ML.NET disagree most.</summary>
/// <param name="Row">Row index in the holdout table.</param>
/// <param name="AbsDifference">Largest absolute difference of a probability (classification) or the value (regression).</param>
/// <param name="ExpectedLabel">ML.NET's label (classification).</param>
/// <param name="ActualLabel">ONNX Runtime's label (classification).</param>
public sealed record ParityRow(int Row, double AbsDifference, string? ExpectedLabel, string? ActualLabel);

/// <summary>How closely the exported model reproduces ML.NET on the holdout.</summary>
/// <param name="RowsCompared">Holdout rows scored by both.</param>
/// <param name="MaxAbsDifference">Largest absolute difference over all probabilities or values.</param>
/// <param name="LabelMismatches">Rows whose labels differ.</param>
/// <param name="Tolerance">The tolerance applied.</param>
/// <param name="WorstRows">Up to ten rows with a label mismatch or the largest differences, worst first.</param>
public sealed record ParityReport(int RowsCompared, double MaxAbsDifference, int LabelMismatches, double Tolerance, IReadOnlyList<ParityRow> WorstRows)
{
    /// <summary>True when labels are identical and every difference is within the tolerance.</summary>
    public bool Passed => LabelMismatches == 0 && MaxAbsDifference <= Tolerance;
}

/// <summary>An exported model: ONNX bytes, its signature and the parity check it passed.</summary>
public sealed record OnnxExport(byte[] Model, ModelSignature Signature, ParityReport Parity);

/// <summary>
/// Exports a trained pipeline with ML.NET's own ONNX converter (<c>Microsoft.ML.OnnxConverter</c>): the graph takes one
/// input per feature column (the schema given to the converter holds no label or weight, so neither becomes an input),
/// date columns get their parsing steps in front (<see cref="DateGraph"/>) and the signature is stored in the model as
/// metadata <c>mlops.signature</c>. Every export is run in ONNX Runtime on the holdout and compared with ML.NET: labels
/// must be identical and probabilities/values within <see cref="Tolerance"/>, else the export fails with
/// <see cref="ErrorCode.Rejected"/> naming the rows.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Largest accepted absolute difference between ONNX Runtime and ML.NET.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Exports a freshly fitted model.</summary>
    public static OnnxExport Export(FittedModel fitted, DataTable holdout)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        return Export(fitted.Model, holdout);
    }

    /// <summary>Exports a (possibly reloaded) model bundle.</summary>
    public static OnnxExport Export(ModelBundle bundle, DataTable holdout) => Export(bundle, holdout, tamper: null);

    /// <summary>The export with a hook that edits the graph before the parity check (tests prove a wrong export fails).</summary>
    internal static OnnxExport Export(ModelBundle bundle, DataTable holdout, Action<OnnxModelEditor>? tamper)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(holdout);
        var plan = bundle.Plan;
        var signature = OnnxOutputs.SignatureOf(plan);
        byte[] converted;
        lock (bundle.Context)
        {
            using var stream = new MemoryStream();
            var inputs = MlNetData.ToDataView(bundle.Context, plan, holdout.SelectRows([]), withLabel: false);
            bundle.Context.Model.ConvertToOnnx(bundle.Transformer, inputs, stream, OnnxOutputs.ColumnsOf(plan.Task));
            converted = stream.ToArray();
        }

        var model = OnnxModelEditor.Parse(converted);
        foreach (var date in plan.Columns.Where(c => c.Kind == FeatureKind.Date))
        {
            DateGraph.Prepend(model, date);
        }

        // The converter also outputs a slot-name tensor nobody reads; the graph's outputs are the signature's.
        var wanted = signature.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = model.Outputs.Count - 1; i >= 0; i--)
        {
            if (!wanted.Contains(OnnxModelEditor.NameOf((Google.Protobuf.IMessage)model.Outputs[i]!)))
            {
                model.Outputs.RemoveAt(i);
            }
        }

        model.AddMetadata(OnnxOutputs.SignatureMetadataKey, signature.ToJson());
        tamper?.Invoke(model);
        var bytes = model.ToBytes();

        var expected = bundle.Predict(holdout);
        PredictionSet actual;
        using (var runner = new OnnxRunner(bytes, signature))
        {
            actual = runner.Predict(holdout);
        }

        var report = Compare(expected, actual);
        if (!report.Passed)
        {
            var rows = string.Join("; ", report.WorstRows.Select(r =>
                string.Create(CultureInfo.InvariantCulture, $"row {r.Row}: |diff| {r.AbsDifference:G4}") +
                (r.ExpectedLabel != r.ActualLabel ? $", label ML.NET '{r.ExpectedLabel}' vs ONNX '{r.ActualLabel}'" : "")));
            var message = string.Create(CultureInfo.InvariantCulture,
                $"ONNX export does not reproduce ML.NET on the holdout: {report.LabelMismatches} of {report.RowsCompared} labels differ, max |diff| {report.MaxAbsDifference:G4} (tolerance {Tolerance:G}). Worst rows: {rows}.");
            throw new MlopsException(ErrorCode.Rejected, message, [new RuleViolation("model", "onnx-parity", message)]);
        }

        return new OnnxExport(bytes, signature, report);
    }

    /// <summary>Compares two prediction sets row by row.</summary>
    internal static ParityReport Compare(PredictionSet expected, PredictionSet actual)
    {
        if (expected.Count != actual.Count)
        {
            throw new InvalidOperationException($"ML.NET scored {expected.Count} rows, ONNX Runtime {actual.Count}.");
        }

        var rows = new List<ParityRow>(expected.Count);
        for (var r = 0; r < expected.Count; r++)
        {
            double diff;
            string? expectedLabel = null, actualLabel = null;
            if (expected.Task == TaskKind.Regression)
            {
                // A regression value is held to 1e-4 absolute up to magnitude 1 and 1e-4 relative above it: float32
                // (what both ML.NET and ONNX Runtime return) has a spacing over 1e-4 above 2048, so an absolute 1e-4
                // there would demand bit-identical sums, which float-summed converter trees cannot give.
                diff = Diff(expected.Values[r], actual.Values[r]) / Math.Max(1d, Math.Abs((double)expected.Values[r]));
            }
            else
            {
                expectedLabel = expected.Labels[r];
                actualLabel = actual.Labels[r];
                diff = Enumerable.Range(0, expected.ClassLabels.Count).Max(k => Diff(expected.Probability(r, k), actual.Probability(r, k)));
            }

            rows.Add(new ParityRow(r, diff, expectedLabel, actualLabel));
        }

        var worst = rows.OrderByDescending(r => r.ExpectedLabel != r.ActualLabel).ThenByDescending(r => r.AbsDifference).Take(10).ToList();
        return new ParityReport(expected.Count, rows.Count == 0 ? 0 : rows.Max(r => r.AbsDifference), rows.Count(r => r.ExpectedLabel != r.ActualLabel), Tolerance, worst);
    }

    // NaN on one side only is an infinite difference; NaN on both sides agrees.
    private static double Diff(float a, float b) =>
        float.IsNaN(a) && float.IsNaN(b) ? 0 : float.IsNaN(a) || float.IsNaN(b) ? double.PositiveInfinity : Math.Abs((double)a - b);
}
