using System.Globalization;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Pipeline;

/// <summary>Stage 5: ranks the candidates by their cross-validated spec metric (in its better direction) and records the winner.</summary>
public sealed class EvaluateStage(CatalogServices catalog, TimeProvider time)
    : StageActivity<EvaluateInput, Evaluation>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "EvaluateCandidates";

    /// <inheritdoc />
    protected override string StageName(EvaluateInput input) => "evaluate";

    /// <inheritdoc />
    protected override StageInput RunOf(EvaluateInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(Evaluation output) =>
        $"best {output.BestCandidateId}: {output.Metric} {output.Value.ToString("0.####", CultureInfo.InvariantCulture)}";

    /// <inheritdoc />
    protected override async Task<Evaluation> ExecuteAsync(EvaluateInput input, CancellationToken ct)
    {
        var spec = await SpecOfAsync(input.Run, ct).ConfigureAwait(false);
        var metric = spec.Metric;
        var scored = input.Candidates.Where(c => c.Metrics.TryGetValue(metric, out var v) && double.IsFinite(v)).ToList();
        if (scored.Count == 0)
        {
            throw new MlopsException(ErrorCode.Rejected, $"No candidate of run '{input.Run.RunId}' has a value for metric '{metric}'.");
        }

        // Best first; ties keep the candidate order, so the choice is deterministic.
        var ranking = Metrics.HigherIsBetter(metric)
            ? scored.OrderByDescending(c => c.Metrics[metric]).ToList()
            : scored.OrderBy(c => c.Metrics[metric]).ToList();
        var best = ranking[0];
        await Catalog.Runs.SetBestAsync(input.Run.RunId, best.CandidateId, best.Metrics, ct).ConfigureAwait(false);
        return new Evaluation(best.CandidateId, metric, best.Metrics[metric], ranking);
    }
}
