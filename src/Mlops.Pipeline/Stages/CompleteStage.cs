using Mlops.Catalog;
using Mlops.Catalog.Runs;

namespace Mlops.Pipeline;

/// <summary>The last step: records the run's outcome (status only moves forward, so a repeat changes nothing).</summary>
public sealed class CompleteStage(CatalogServices catalog) : IPipelineStage<CompleteInput, bool>
{
    /// <summary>The activity name.</summary>
    public const string Name = "CompleteRun";

    /// <inheritdoc />
    public async Task<bool> RunAsync(CompleteInput input, CancellationToken cancellationToken)
    {
        var status = input.Status == "succeeded" ? RunStatus.Succeeded : RunStatus.Failed;
        if (input.Gate is { } gate)
        {
            await catalog.Runs.LogParamsAsync(input.Run.RunId, "gate", new Dictionary<string, string>
            {
                ["promote"] = gate.Promote ? "true" : "false",
                ["reason"] = gate.Reason,
                ["metric"] = gate.Metric,
            }, cancellationToken).ConfigureAwait(false);
        }

        await catalog.Runs.SetStatusAsync(input.Run.RunId, status, input.Error, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
