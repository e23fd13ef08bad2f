using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.Catalog;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Api;

/// <summary>Project specs: <c>PUT</c> and <c>GET /api/projects/{project}</c>.</summary>
public sealed class ProjectFunctions(CatalogServices catalog)
{
    /// <summary>Creates or changes a project's spec; every change is a new spec version.</summary>
    [Function("PutProject")]
    [ApiOperation("Create or replace a project's spec", Tag = "Projects", RequestBody = typeof(ProjectSpec), Response = typeof(ProjectPutResponse),
        Description = "Only `target` and `task` are required. Every change is stored as a new spec version; runs record the version they used.")]
    public async Task<IActionResult> PutProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "projects/{project}")] HttpRequest request, string project, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        var body = await RequestBody.ReadBytesAsync(request, RequestBody.MaxJsonBytes, context.CancellationToken).ConfigureAwait(false);
        var stored = await catalog.Projects.PutAsync(project, Encoding.UTF8.GetString(body), context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Result(new ProjectPutResponse(project, stored.Version, stored.Created, stored.Spec), stored.Created ? 201 : 200);
    }

    /// <summary>A project's spec, model name, latest dataset and latest run.</summary>
    [Function("GetProject")]
    [ApiOperation("A project's spec, model name, latest dataset and latest run", Tag = "Projects", Response = typeof(ProjectResponse))]
    public async Task<IActionResult> GetProject(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}")] HttpRequest request, string project, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        var ct = context.CancellationToken;
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: ct).ConfigureAwait(false);
        var dataset = await catalog.Datasets.FindLatestAsync(project, ct).ConfigureAwait(false);
        var runs = await catalog.Runs.ListAsync(project, ct).ConfigureAwait(false);
        var latestRun = runs.OrderByDescending(r => r.CreatedAt).FirstOrDefault();
        return ApiJson.Result(new ProjectResponse(project, spec.Version, spec.Spec, Stages.ModelNameFor(project), dataset, latestRun));
    }
}
