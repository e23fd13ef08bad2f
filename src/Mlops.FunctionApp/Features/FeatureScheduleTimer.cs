using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Mlops.Features;
using NCrontab;

namespace Mlops.FunctionApp.Features;

/// <summary>
/// Timer <c>FeatureSchedule</c> (<c>MLOPS_FEATURES_SCHEDULE</c>): Functions timers are fixed per function, so one timer
/// checks every view and materialises those whose own <c>schedule</c> had an occurrence since the last one it ran (or
/// since the view was declared). Its schedule bounds how promptly a view's schedule is honoured: set it at least as
/// often as the most frequent view schedule.
/// </summary>
public sealed partial class FeatureScheduleTimer(FeatureStore store, FeatureMaterializationLauncher launcher, TimeProvider time, ILogger<FeatureScheduleTimer> logger)
{
    /// <summary>The function.</summary>
    [Function("FeatureSchedule")]
    public async Task Run([TimerTrigger("%MLOPS_FEATURES_SCHEDULE%")] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await foreach (var (view, _) in store.Views.ListViewsAsync(ct).ConfigureAwait(false))
        {
            var definition = await store.Views.FindAsync(view, cancellationToken: ct).ConfigureAwait(false);
            if (definition?.Spec.Schedule is not { } text)
            {
                continue;
            }

            var schedule = CrontabSchedule.Parse(text, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
            var since = await store.Views.GetLastScheduledAsync(view, ct).ConfigureAwait(false) ?? definition.CreatedAt;
            var due = schedule.GetNextOccurrence(since.UtcDateTime);
            if (due > now.UtcDateTime)
            {
                continue;
            }

            // The latest occurrence that passed: missed occurrences collapse into one materialisation.
            var occurrence = due;
            for (var next = schedule.GetNextOccurrence(occurrence); next <= now.UtcDateTime; next = schedule.GetNextOccurrence(next))
            {
                occurrence = next;
            }

            try
            {
                var launched = await launcher.LaunchAsync(client, view, ct).ConfigureAwait(false);
                await store.Views.SetLastScheduledAsync(view, new DateTimeOffset(occurrence, TimeSpan.Zero), ct).ConfigureAwait(false);
                LogDue(logger, view, text, launched.InstanceId, launched.Started);
            }
            catch (Core.Errors.MlopsException ex)
            {
                LogFailed(logger, view, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Feature view {View} due on schedule '{Schedule}': {InstanceId} (started: {Started})")]
    private static partial void LogDue(ILogger logger, string view, string schedule, string instanceId, bool started);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Feature view {View} is due but could not be materialised: {Reason}")]
    private static partial void LogFailed(ILogger logger, string view, string reason);
}
