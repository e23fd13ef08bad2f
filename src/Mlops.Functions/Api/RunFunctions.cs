using System.Text.Json;
using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Functions.Pipeline;

namespace Mlops.Functions.Api;

/// <summary><c>POST /api/projects/{project}/runs</c>: train on chosen dataset versions (default: the latest).</summary>
[Function("StartRun")]
[HttpTrigger("projects/{project}/runs", "post")]
[DurableClient]
[ApiOperation("Start a training run", Tag = "Runs", RequestBody = typeof(StartRunRequest), Response = typeof(StartRunResponse), SuccessStatus = 202,
    Description = "Body optional: `{\"datasetVersions\": [\"<sha256>\", ...]}`; default the latest accepted version.")]
public sealed class StartRunFunction(CatalogServices catalog, PipelineLauncher launcher) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var project = ResourceName.Require(request.Route("project"), "project");
        var body = RequestJson.Read(request, new StartRunRequest(null));
        var versions = body.DatasetVersions ?? [];
        for (var i = 0; i < versions.Count; i++)
        {
            if (await catalog.Datasets.FindAsync(project, versions[i], context.CancellationToken).ConfigureAwait(false) is not { Status: Catalog.Datasets.DatasetStatus.Accepted })
            {
                throw MlopsException.Invalid($"datasetVersions[{i}]", "exists", $"datasetVersions[{i}] is not an accepted dataset version of '{project}'; see GET /api/projects/{project}/datasets.");
            }
        }

        var run = await launcher.LaunchAsync(context, new Uri(request.BaseUrl), project, catalog.Runs.NewRunId(), versions,
            RunTrigger.Manual, null, context.CancellationToken).ConfigureAwait(false);
        return HttpResponseData.Json(new StartRunResponse(run.RunId, run.CheckStatus), 202).WithHeader("Location", run.CheckStatus.StatusQueryGetUri);
    }
}

/// <summary><c>GET /api/runs/{runId}</c>: params, metrics, timings per stage, lineage, status, and the live pipeline stage.</summary>
[Function("GetRun")]
[HttpTrigger("runs/{runId}", "get")]
[DurableClient]
[ApiOperation("A run: params, metrics per candidate, timings per stage, lineage, status and live progress", Tag = "Runs", Response = typeof(RunResponse))]
public sealed class GetRunFunction(CatalogServices catalog, PipelineLauncher launcher) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var runId = request.Route("runId");
        if (runId.Length is 0 or > 128 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw MlopsException.Invalid("runId", "pattern", "'runId' is letters, digits, '-' and '_' (at most 128).");
        }

        var run = await catalog.Runs.FindAsync(runId, context.CancellationToken).ConfigureAwait(false)
                  ?? throw MlopsException.NotFound($"No run '{runId}'.");
        var status = await launcher.ClientFor(context, new Uri(request.BaseUrl)).GetStatusAsync(runId, showInput: false, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        return HttpResponseData.Json(new RunResponse(run, status?.RuntimeStatus.ToString(), status?.CustomStatus, status?.Output));
    }
}
