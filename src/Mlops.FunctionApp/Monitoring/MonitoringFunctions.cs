using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline.Monitoring;

namespace Mlops.FunctionApp.Monitoring;

/// <summary>Feedback, the monitoring view, and the drift and scheduled-retraining timers.</summary>
public sealed class MonitoringFunctions(MonitoringService monitoring, RunLauncher launcher)
{
    /// <summary><c>POST /api/models/{name}/feedback</c>: ground truth for live quality.</summary>
    [Function("PostFeedback")]
    [ApiOperation("Report the true outcome of predictions", Tag = "Monitoring", RequestBody = typeof(IReadOnlyList<FeedbackItem>), Response = typeof(FeedbackResponse),
        ErrorStatuses = [400, 404, 413],
        Description = "Body: `[{\"predictionId\": \"<id from predict>\", \"actual\": \"rain\"}]` (a label for classification, a number for regression), at most 10,000 items. "
                      + "The first truth per prediction is kept; repeats are reported as duplicates. Live quality joins it to the logged prediction.")]
    public async Task<IActionResult> PostFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{name}/feedback")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        // 10,000 items of a few hundred bytes each at most; larger is not feedback.
        var body = await RequestBody.ReadBytesAsync(request, 16 * 1024 * 1024, context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Result(await monitoring.AddFeedbackAsync(name, body, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/models/{name}/monitoring</c>: drift reports, live-quality windows and the latest check notes.</summary>
    [Function("GetMonitoring")]
    [ApiOperation("Drift reports (per feature: statistic, p-value / PSI, verdict, sample sizes) and live-quality windows", Tag = "Monitoring", Response = typeof(MonitoringResponse),
        Description = "Newest first. Query: `reports` (default 10, at most 50) and `windows` (default 20, at most 100). `checks` holds the latest outcome of the drift, quality and schedule checks with their reasons.")]
    public async Task<IActionResult> GetMonitoring(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models/{name}/monitoring")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        var reports = Take(request, "reports", 10, 50);
        var windows = Take(request, "windows", 20, 100);
        return ApiJson.Result(await monitoring.GetAsync(name, reports, windows, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Timer <c>DriftCheck</c> (<c>MLOPS_DRIFT_SCHEDULE</c>): drift and live quality of every project's production version;
    /// a drift verdict or a quality drop starts one retraining per episode.
    /// </summary>
    [Function("DriftCheck")]
    public Task DriftCheck([TimerTrigger("%MLOPS_DRIFT_SCHEDULE%")] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        monitoring.CheckAllAsync(new Starter(launcher, client), context.CancellationToken);

    /// <summary>
    /// Timer <c>ScheduledRetrain</c> (<c>MLOPS_RETRAIN_CHECK_SCHEDULE</c>): for each project with <c>retrain.schedule</c>, starts a run
    /// when an occurrence passed since the last scheduled run and enough new rows arrived.
    /// </summary>
    [Function("ScheduledRetrain")]
    public Task ScheduledRetrain([TimerTrigger("%MLOPS_RETRAIN_CHECK_SCHEDULE%")] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        monitoring.CheckSchedulesAsync(new Starter(launcher, client), context.CancellationToken);

    private static int Take(HttpRequest request, string name, int fallback, int max)
    {
        var text = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw MlopsException.Invalid(name, "range", $"'{name}' must be a whole number from 1 to {max}.");
    }

    /// <summary>Starts the retraining runs the checks ask for, with this invocation's Durable client.</summary>
    private sealed class Starter(RunLauncher launcher, DurableTaskClient client) : IRetrainStarter
    {
        public async Task<bool> StartAsync(RetrainRequest request, CancellationToken cancellationToken) =>
            (await launcher.LaunchAsync(client, request.Project, request.RunId, request.DatasetVersions, request.Trigger, request.TriggerReference,
                cancellationToken).ConfigureAwait(false)).Started;
    }
}
