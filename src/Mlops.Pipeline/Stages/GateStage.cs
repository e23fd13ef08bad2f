using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Models;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 8, the promotion gate: the current production model (the champion) and the new version (the challenger) are
/// scored with the same ONNX Runtime path on the rows neither trained on: the challenger's holdout minus every row in the
/// champion's <c>training-rows.json</c> (<see cref="FairHoldout"/>). The challenger is promoted only if it beats the
/// champion there by more than the spec's <c>promotion.minImprovement</c>. A champion registered before training rows
/// were recorded is compared on the whole holdout, and the reason says so.
/// </summary>
public sealed class GateStage(CatalogServices catalog, TimeProvider time, RunWorkspace workspace)
    : StageActivity<GateInput, GateDecision>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "PromotionGate";

    /// <inheritdoc />
    protected override string StageName(GateInput input) => "gate";

    /// <inheritdoc />
    protected override StageInput RunOf(GateInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(GateDecision output) => output.Reason;

    /// <inheritdoc />
    protected override async Task<GateDecision> ExecuteAsync(GateInput input, CancellationToken ct)
    {
        var spec = await SpecOfAsync(input.Run, ct).ConfigureAwait(false);
        var metric = spec.Metric;
        var table = await workspace.LoadTrainingSetAsync(input.Run.RunId, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(input.Run.RunId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);
        var holdout = table.SelectRows(split.Holdout);
        var champion = await Catalog.Models.FindAliasAsync(input.ModelName, ModelRegistry.ProductionAlias, ct).ConfigureAwait(false);
        var min = spec.Promotion.MinImprovement;
        if (champion is null || champion.Version == input.Version)
        {
            var score = await ScoreAsync(input.ModelName, input.Version, holdout, spec, ct).ConfigureAwait(false);
            var first = champion is null
                ? PromotionGate.NoChampion(metric, input.Version, score)
                : PromotionGate.Compare(metric, input.Version, score, champion.Version, score, min, holdout.RowCount);
            return new GateDecision(first.Promote, metric, score, champion is null ? null : score, champion?.Version, min, first.Reason);
        }

        var (rows, note) = await FairRowsAsync(input.ModelName, champion.Version, holdout, ct).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            var challengerOnAll = await ScoreAsync(input.ModelName, input.Version, holdout, spec, ct).ConfigureAwait(false);
            return new GateDecision(false, metric, challengerOnAll, null, champion.Version, min,
                $"kept v{champion.Version}: it trained on every row of v{input.Version}'s holdout, so there is no fair comparison; promote v{input.Version} by hand if intended");
        }

        var fair = holdout.SelectRows(rows);
        var challenger = await ScoreAsync(input.ModelName, input.Version, fair, spec, ct).ConfigureAwait(false);
        double championScore;
        try
        {
            championScore = await ScoreAsync(input.ModelName, champion.Version, fair, spec, ct).ConfigureAwait(false);
        }
        catch (MlopsException ex) when (ex.Code is ErrorCode.InvalidInput or ErrorCode.Rejected)
        {
            // The champion cannot read this data (its inputs differ): there is no fair comparison, so keep it.
            return new GateDecision(false, metric, challenger, null, champion.Version, min,
                $"kept v{champion.Version}: it cannot be scored on this run's holdout ({ex.Message}); promote v{input.Version} by hand if intended");
        }

        var verdict = PromotionGate.Compare(metric, input.Version, challenger, champion.Version, championScore, min, rows.Count);
        return new GateDecision(verdict.Promote, metric, challenger, championScore, champion.Version, min, verdict.Reason + note);
    }

    /// <summary>The holdout rows the champion did not train on, and a note when its training rows are unknown.</summary>
    private async Task<(IReadOnlyList<int> Rows, string Note)> FairRowsAsync(string model, int championVersion, Core.Data.DataTable holdout, CancellationToken ct)
    {
        BinaryData stored;
        try
        {
            stored = await Catalog.Models.ReadArtifactAsync(model, championVersion, TrainingRows.FileName, ct).ConfigureAwait(false);
        }
        catch (MlopsException ex) when (ex.Code == ErrorCode.NotFound)
        {
            return (Enumerable.Range(0, holdout.RowCount).ToList(), $" (v{championVersion} predates training-row records: compared on the whole holdout)");
        }

        return (FairHoldout.Select(holdout, TrainingRows.FromJson(stored.ToString())), "");
    }

    private async Task<double> ScoreAsync(string model, int version, Core.Data.DataTable holdout, ProjectSpec spec, CancellationToken ct)
    {
        var registered = await Catalog.Models.GetVersionAsync(model, version, ct).ConfigureAwait(false);
        var onnx = await Catalog.Models.ReadArtifactAsync(model, version, "model.onnx", ct).ConfigureAwait(false);
        var metrics = Scorer.Score(onnx.ToArray(), registered.Card.Signature, holdout, spec.Target);
        return metrics.TryGetValue(spec.Metric, out var value)
            ? value
            : throw new MlopsException(ErrorCode.Rejected, $"v{version} has no '{spec.Metric}' on this holdout.");
    }
}
