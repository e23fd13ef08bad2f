using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Modeling.Onnx;

namespace Mlops.Modeling.Training;

/// <summary>The refit winner and its export, with the better-ranked candidates whose export failed parity.</summary>
/// <param name="Fitted">The model refit on all training rows.</param>
/// <param name="Export">Its parity-checked ONNX export.</param>
/// <param name="Skipped">One sentence per better-ranked candidate whose export failed the parity check.</param>
public sealed record ExportedWinner(FittedModel Fitted, OnnxExport Export, IReadOnlyList<string> Skipped);

/// <summary>
/// Refits the best candidate on all training rows and exports it. The parity check stays exactly as strict; when it
/// fails (float32 ONNX Runtime against ML.NET's double sums can differ by more than 1e-4 on large regression targets),
/// the next candidate in the ranking is refit and exported instead, up to <see cref="MaxAttempts"/> candidates, and the
/// skipped ones are reported. If all fail, the first failure is thrown, naming rows and distance.
/// </summary>
public static class WinnerExport
{
    /// <summary>Candidates tried, best first.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Fits and exports the first of <paramref name="ranked"/> (best first) whose export passes parity.</summary>
    public static ExportedWinner FitAndExport(DataTable train, DataTable holdout, ProjectSpec spec, IReadOnlyList<CandidateSpec> ranked)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        var skipped = new List<string>();
        MlopsException? first = null;
        foreach (var candidate in ranked.Take(MaxAttempts))
        {
            var fitted = CandidateTrainer.Fit(train, spec, candidate);
            try
            {
                return new ExportedWinner(fitted, OnnxExporter.Export(fitted.Model, holdout), skipped);
            }
            catch (MlopsException ex) when (ex.Violations.Any(v => v.Rule == "onnx-parity"))
            {
                first ??= ex;
                skipped.Add($"{candidate.Id}: {ex.Message}");
            }
        }

        throw first ?? new MlopsException(ErrorCode.Rejected, "No candidate to export.");
    }

    /// <summary>The scores best first by <paramref name="metric"/> (ties keep their order; scores without the metric last).</summary>
    public static IReadOnlyList<CandidateScore> Rank(IEnumerable<CandidateScore> scores, string metric)
    {
        var valid = scores.Where(s => s.Metrics.TryGetValue(metric, out var v) && double.IsFinite(v)).ToList();
        return Metrics.HigherIsBetter(metric)
            ? valid.OrderByDescending(s => s.Metrics[metric]).ToList()
            : valid.OrderBy(s => s.Metrics[metric]).ToList();
    }
}
