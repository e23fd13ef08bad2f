using System.Globalization;
using Mlops.Catalog;
using Mlops.Core.Errors;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 4 (fanned out): scores one candidate by k-fold cross-validation on the training part only (the holdout stays
/// unseen until the winner is chosen). A finished candidate is never trained twice.
/// </summary>
public sealed class TrainCandidateStage(CatalogServices catalog, TimeProvider time, RunWorkspace workspace)
    : StageActivity<CandidateInput, CandidateOutcome>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "TrainCandidate";

    /// <inheritdoc />
    protected override string StageName(CandidateInput input) => "train:" + input.CandidateId;

    /// <inheritdoc />
    protected override StageInput RunOf(CandidateInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(CandidateOutcome output) =>
        string.Join(", ", output.Metrics.Select(m => $"{m.Key} {m.Value.ToString("0.####", CultureInfo.InvariantCulture)}"));

    /// <inheritdoc />
    protected override async Task<CandidateOutcome> ExecuteAsync(CandidateInput input, CancellationToken ct)
    {
        var runId = input.Run.RunId;
        var resultFile = RunWorkspace.Files.CandidateResult(input.CandidateId);
        if (await workspace.FindJsonAsync<CandidateOutcome>(runId, resultFile, ct).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        var spec = await SpecOfAsync(input.Run, ct).ConfigureAwait(false);
        var candidates = await workspace.GetJsonAsync<List<CandidateSpec>>(runId, RunWorkspace.Files.Candidates, ct).ConfigureAwait(false);
        var candidate = candidates.FirstOrDefault(c => c.Id == input.CandidateId)
                        ?? throw new MlopsException(ErrorCode.Internal, $"Run '{runId}' has no candidate '{input.CandidateId}'.");
        var table = await workspace.LoadTrainingSetAsync(runId, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(runId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);

        var score = CandidateSearch.Evaluate(table.SelectRows(split.Train), spec, candidate);
        var outcome = new CandidateOutcome(candidate.Id, candidate.Trainer, score.Metrics, score.Seconds);
        await Catalog.Runs.LogCandidateAsync(runId, new Catalog.Runs.CandidateResult(candidate.Id, candidate.Trainer,
            candidate.Parameters.ToDictionary(p => p.Key, p => p.Value.ToString(CultureInfo.InvariantCulture)), score.Metrics,
            score.Seconds), ct).ConfigureAwait(false);
        // Written last: its presence means the candidate is done (the first finished attempt wins).
        await workspace.PutJsonOnceAsync(runId, resultFile, outcome, ct).ConfigureAwait(false);
        return await workspace.GetJsonAsync<CandidateOutcome>(runId, resultFile, ct).ConfigureAwait(false);
    }
}
