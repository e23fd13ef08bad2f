using Mlops.Catalog;
using Mlops.Core.Data;
using Mlops.Data;

namespace Mlops.Pipeline;

/// <summary>Stage 2: profiles the training set. The profile becomes the drift reference of the model this run registers.</summary>
public sealed class ProfileStage(CatalogServices catalog, TimeProvider time, DatasetIngestor ingestor, RunWorkspace workspace)
    : StageActivity<StageInput, ProfiledData>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "ProfileData";

    /// <inheritdoc />
    protected override string StageName(StageInput input) => "profile";

    /// <inheritdoc />
    protected override StageInput RunOf(StageInput input) => input;

    /// <inheritdoc />
    protected override string Describe(ProfiledData output) => $"{output.Rows} rows; drift reference at {output.ProfilePath}";

    /// <inheritdoc />
    protected override async Task<ProfiledData> ExecuteAsync(StageInput run, CancellationToken ct)
    {
        var path = $"{RunWorkspace.Container}/{run.RunId}/{RunWorkspace.Files.Profile}";
        if (await workspace.FindJsonAsync<DatasetProfile>(run.RunId, RunWorkspace.Files.Profile, ct).ConfigureAwait(false) is { } done)
        {
            return new ProfiledData((int)done.RowCount, path);
        }

        var spec = await SpecOfAsync(run, ct).ConfigureAwait(false);
        var data = await workspace.GetAsync(run.RunId, RunWorkspace.Files.TrainingSet, ct).ConfigureAwait(false);
        var result = await ingestor.IngestAsync(data.ToStream(), "data.csv", spec, cancellationToken: ct).ConfigureAwait(false);
        var profile = result.Profile ?? throw new Core.Errors.MlopsException(Core.Errors.ErrorCode.Internal, "The validated training set could not be profiled.");
        await workspace.PutJsonOnceAsync(run.RunId, RunWorkspace.Files.Profile, profile, ct).ConfigureAwait(false);
        return new ProfiledData((int)profile.RowCount, path);
    }
}
