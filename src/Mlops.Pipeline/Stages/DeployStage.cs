using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Serving;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 9: moves the <c>production</c> alias to the promoted version, guarded by the champion the gate compared
/// against: if someone moved the alias meanwhile (a manual rollback, another run), this run does not overwrite it.
/// The move is audited with the run id; a repeat is a no-op.
/// </summary>
public sealed class DeployStage(CatalogServices catalog, TimeProvider time, ModelCache models)
    : StageActivity<DeployInput, Deployment>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "DeployModel";

    /// <inheritdoc />
    protected override string StageName(DeployInput input) => "deploy";

    /// <inheritdoc />
    protected override StageInput RunOf(DeployInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(Deployment output) =>
        output.Deployed ? $"{output.Alias} -> v{output.Version}" : $"{output.Alias} not moved: {output.Note}";

    /// <inheritdoc />
    protected override async Task<Deployment> ExecuteAsync(DeployInput input, CancellationToken ct)
    {
        try
        {
            var moved = await Catalog.Models.MoveAliasAsync(new AliasMove
            {
                Model = input.ModelName,
                Alias = ModelRegistry.ProductionAlias,
                Version = input.Version,
                Actor = "pipeline/" + input.Run.RunId,
                Reason = input.Reason,
                ExpectedVersion = input.ExpectedChampion ?? 0,
                RunId = input.Run.RunId,
                DriftReportId = input.DriftReportId,
            }, ct).ConfigureAwait(false);
            await Catalog.Runs.LinkModelAsync(input.Run.RunId, new RunModelLink(input.ModelName, input.Version, Promoted: true), ct).ConfigureAwait(false);
            // This process serves too: switch at once instead of waiting for the alias cache to expire.
            models.Invalidate(input.ModelName);
            return new Deployment(input.ModelName, ModelRegistry.ProductionAlias, input.Version, moved.PreviousVersion, true, null);
        }
        catch (MlopsException ex) when (ex.Code == ErrorCode.Conflict)
        {
            return new Deployment(input.ModelName, ModelRegistry.ProductionAlias, input.Version, input.ExpectedChampion, false,
                "the production alias moved while this run was being evaluated; it was left as it is");
        }
    }
}
