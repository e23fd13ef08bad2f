using Mlops.Catalog;
using Mlops.Modeling.Training;

namespace Mlops.Pipeline;

/// <summary>Stage 3: the deterministic train/holdout split (by the spec's seed) and the search's candidates (seeded random draws).</summary>
public sealed class SplitStage(CatalogServices catalog, TimeProvider time, RunWorkspace workspace)
    : StageActivity<StageInput, SplitData>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "SplitData";

    /// <inheritdoc />
    protected override string StageName(StageInput input) => "split";

    /// <inheritdoc />
    protected override StageInput RunOf(StageInput input) => input;

    /// <inheritdoc />
    protected override string Describe(SplitData output) => $"{output.TrainRows} train / {output.HoldoutRows} holdout rows, {output.CandidateIds.Count} candidates";

    /// <inheritdoc />
    protected override async Task<SplitData> ExecuteAsync(StageInput run, CancellationToken ct)
    {
        var spec = await SpecOfAsync(run, ct).ConfigureAwait(false);
        var table = await workspace.LoadTrainingSetAsync(run.RunId, ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(run.RunId, RunWorkspace.Files.Split, DataSplit.Split(table, spec), ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<SplitIndices>(run.RunId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);
        await workspace.PutJsonOnceAsync(run.RunId, RunWorkspace.Files.Candidates, CandidateSearch.Candidates(spec, split.Train.Count), ct).ConfigureAwait(false);
        var candidates = await workspace.GetJsonAsync<List<CandidateSpec>>(run.RunId, RunWorkspace.Files.Candidates, ct).ConfigureAwait(false);
        await Catalog.Runs.LogParamsAsync(run.RunId, "split", new Dictionary<string, string>
        {
            ["seed"] = spec.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["holdoutFraction"] = spec.HoldoutFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trainRows"] = split.Train.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["holdoutRows"] = split.Holdout.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["candidates"] = string.Join(",", candidates.Select(c => c.Id)),
            ["folds"] = spec.Search.Folds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["metric"] = spec.Metric,
        }, ct).ConfigureAwait(false);
        return new SplitData(split.Train.Count, split.Holdout.Count, candidates.Select(c => c.Id).ToList());
    }
}
