using System.Globalization;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Functions.Pipeline;
using Mlops.Pipeline.Monitoring;

namespace Mlops.Functions.Monitoring;

/// <summary>Starts retraining runs through <see cref="PipelineLauncher"/> with the invocation's Durable client.</summary>
public sealed class PipelineRetrainStarter(PipelineLauncher launcher, FunctionContext context, Uri publicBaseUrl) : IRetrainStarter
{
    /// <inheritdoc />
    public async Task<bool> StartAsync(RetrainRequest request, CancellationToken cancellationToken)
    {
        var run = await launcher.LaunchAsync(context, publicBaseUrl, request.Project, request.RunId, request.DatasetVersions,
            request.Trigger, request.TriggerReference, cancellationToken).ConfigureAwait(false);
        return run.Started;
    }
}

/// <summary><c>POST /api/models/{name}/feedback</c>: ground truth for live quality.</summary>
[Function("PostFeedback")]
[HttpTrigger("models/{name}/feedback", "post")]
[ApiOperation("Report the true outcome of predictions", Tag = "Monitoring", RequestBody = typeof(IReadOnlyList<FeedbackItem>), Response = typeof(FeedbackResponse),
    ErrorStatuses = [400, 404, 413],
    Description = "Body: `[{\"predictionId\": \"<id from predict>\", \"actual\": \"rain\"}]` (a label for classification, a number for regression), at most 10,000 items. "
                  + "The first truth per prediction is kept; repeats are reported as duplicates. Live quality joins it to the logged prediction.")]
public sealed class PostFeedbackFunction(MonitoringService monitoring) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var model = ResourceName.Require(request.Route("name"), "name");
        var result = await monitoring.AddFeedbackAsync(model, request.Body, context.CancellationToken).ConfigureAwait(false);
        return HttpResponseData.Json(result);
    }
}

/// <summary><c>GET /api/models/{name}/monitoring</c>: drift reports, live-quality windows and the latest check notes.</summary>
[Function("GetMonitoring")]
[HttpTrigger("models/{name}/monitoring", "get")]
[ApiOperation("Drift reports (per feature: statistic, p-value / PSI, verdict, sample sizes) and live-quality windows", Tag = "Monitoring", Response = typeof(MonitoringResponse),
    Description = "Newest first. Query: `reports` (default 10, at most 50) and `windows` (default 20, at most 100). `checks` holds the latest outcome of the drift, quality and schedule checks with their reasons.")]
public sealed class GetMonitoringFunction(MonitoringService monitoring) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var model = ResourceName.Require(request.Route("name"), "name");
        var reports = Take(request, "reports", 10, 50);
        var windows = Take(request, "windows", 20, 100);
        return HttpResponseData.Json(await monitoring.GetAsync(model, reports, windows, context.CancellationToken).ConfigureAwait(false));
    }

    private static int Take(HttpRequestData request, string name, int fallback, int max)
    {
        if (!request.Query.TryGetValue(name, out var text) || text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 && n <= max
            ? n
            : throw MlopsException.Invalid(name, "range", $"'{name}' must be a whole number from 1 to {max}.");
    }
}

/// <summary>
/// Timer <c>DriftCheck</c> (<c>MLOPS_DRIFT_SCHEDULE</c>): drift and live quality of every project's production version;
/// a drift verdict or a quality drop starts one retraining per episode. Run it on demand with
/// <c>POST /admin/functions/DriftCheck</c> and body <c>{"input": ""}</c>.
/// </summary>
[Function("DriftCheck")]
[TimerTrigger("%MLOPS_DRIFT_SCHEDULE%")]
[DurableClient]
public sealed class DriftCheckFunction(MonitoringService monitoring, PipelineLauncher launcher, MonitoringOptions options) : ITimerFunction
{
    /// <inheritdoc />
    public Task RunAsync(TimerInvocation timer, FunctionContext context) =>
        monitoring.CheckAllAsync(new PipelineRetrainStarter(launcher, context, options.PublicBaseUrl), context.CancellationToken);
}

/// <summary>
/// Timer <c>ScheduledRetrain</c> (<c>MLOPS_RETRAIN_CHECK_SCHEDULE</c>): for each project with <c>retrain.schedule</c>, starts a
/// run when an occurrence passed since the last scheduled run and at least <c>retrain.minNewRows</c> new rows arrived.
/// </summary>
[Function("ScheduledRetrain")]
[TimerTrigger("%MLOPS_RETRAIN_CHECK_SCHEDULE%")]
[DurableClient]
public sealed class ScheduledRetrainFunction(MonitoringService monitoring, PipelineLauncher launcher, MonitoringOptions options) : ITimerFunction
{
    /// <inheritdoc />
    public Task RunAsync(TimerInvocation timer, FunctionContext context) =>
        monitoring.CheckSchedulesAsync(new PipelineRetrainStarter(launcher, context, options.PublicBaseUrl), context.CancellationToken);
}
