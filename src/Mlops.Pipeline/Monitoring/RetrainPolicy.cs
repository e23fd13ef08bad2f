using System.Globalization;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Projects;

namespace Mlops.Pipeline.Monitoring;

/// <summary>
/// When a drift or quality verdict retrains: one run per episode (a deterministic id per project, trigger, production
/// version and cool-down period), none while a monitor-started run is cooling down, on the project's training set.
/// </summary>
internal sealed class RetrainPolicy(MonitoringContext context)
{
    /// <summary>
    /// The run id of a drift or quality episode: one per project, trigger, production version and cool-down period, so
    /// every check that sees the same episode names the same run.
    /// </summary>
    public static string EpisodeRunId(string project, RunTrigger trigger, int productionVersion, DateTimeOffset decidedAt, int cooldownMinutes)
    {
        var period = Math.Max(1, cooldownMinutes) * 60L;
        var episode = decidedAt.ToUnixTimeSeconds() / period;
        var kind = trigger == RunTrigger.Quality ? "quality" : "drift";
        return string.Create(CultureInfo.InvariantCulture, $"{project}-{kind}-v{productionVersion}-{episode}");
    }

    /// <summary>Starts the episode's retraining unless a monitor-started run is cooling down; says which and why.</summary>
    public async Task<(string RunId, bool Started, string Reason)> RetrainAsync(ProjectVersion spec, int productionVersion, RunTrigger trigger,
        string reference, DateTimeOffset decidedAt, IRetrainStarter starter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var project = spec.Project;
        var cooldown = spec.Spec.Retrain.CooldownMinutes;
        var runId = EpisodeRunId(project, trigger, productionVersion, decidedAt, cooldown);
        var runs = await context.Catalog.Runs.ListAsync(project, cancellationToken).ConfigureAwait(false);

        // The episode id covers one cool-down period; a run of the previous period (or of the other monitor) still
        // cooling down covers this check too.
        var cooling = runs.FirstOrDefault(r => r.Trigger is RunTrigger.Drift or RunTrigger.Quality && r.RunId != runId && r.CreatedAt > now.AddMinutes(-cooldown));
        if (cooling is not null)
        {
            return (cooling.RunId, false, string.Create(CultureInfo.InvariantCulture,
                $"Cooling down: {cooling.Trigger} run {cooling.RunId} started {cooling.CreatedAt:O}, less than retrain.cooldownMinutes = {cooldown} ago."));
        }

        var training = await TrainingDatasetsAsync(project, cancellationToken).ConfigureAwait(false);
        var started = await starter.StartAsync(new RetrainRequest(project, runId, training.Versions, trigger, reference), cancellationToken).ConfigureAwait(false);
        return (runId, started, $"Retraining on {training.Versions.Count} dataset version(s).{training.Note}");
    }

    /// <summary>The dataset versions a retraining uses (the catalog's training-set rule) and a note on any left out.</summary>
    public async Task<(IReadOnlyList<string> Versions, string Note)> TrainingDatasetsAsync(string project, CancellationToken cancellationToken)
    {
        var selection = await context.Catalog.Datasets.SelectTrainingSetAsync(project, cancellationToken).ConfigureAwait(false);
        return (selection.Versions, selection.LeftOut == 0 ? "" : $" {selection.LeftOut} older version(s) with other columns left out.");
    }
}
