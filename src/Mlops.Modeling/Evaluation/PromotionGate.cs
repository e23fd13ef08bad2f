using System.Globalization;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Evaluation;

/// <summary>What the promotion gate decided, and why (with the figures).</summary>
/// <param name="Promote">True when the challenger should become production.</param>
/// <param name="Reason">One sentence naming both versions, the metric and the scores.</param>
public sealed record GateVerdict(bool Promote, string Reason);

/// <summary>
/// The promotion rule: a challenger replaces the champion only if, scored on the same rows that neither trained on
/// (<see cref="FairHoldout"/>), it beats it by more than the spec's <c>promotion.minImprovement</c> in the metric's better
/// direction. The first model always passes.
/// </summary>
public static class PromotionGate
{
    /// <summary>There is no champion yet.</summary>
    public static GateVerdict NoChampion(string metric, int challengerVersion, double challenger) =>
        new(true, $"first model: v{challengerVersion} ({metric} {F(challenger)}) becomes production");

    /// <summary>Compares challenger and champion scores on the same <paramref name="holdoutRows"/> rows, unseen by both.</summary>
    public static GateVerdict Compare(string metric, int challengerVersion, double challenger, int championVersion, double champion,
        double minImprovement, int holdoutRows)
    {
        if (championVersion == challengerVersion)
        {
            return new(true, $"v{challengerVersion} is already production");
        }

        return Metrics.Improvement(metric, challenger, champion) > minImprovement
            ? new(true, $"v{challengerVersion} beats v{championVersion} on the same {holdoutRows} holdout rows neither trained on: {metric} {F(challenger)} vs {F(champion)}")
            : new(false, $"kept v{championVersion}: v{challengerVersion} {metric} {F(challenger)} vs champion {F(champion)} on the same {holdoutRows} holdout rows neither trained on (needs an improvement over {F(minImprovement)})");
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
