using Mlops.Catalog;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Api;

/// <summary><c>PUT /api/projects/{project}</c>: create or change a project's spec; every change is a new spec version.</summary>
[Function("PutProject")]
[HttpTrigger("projects/{project}", "put")]
[ApiOperation("Create or replace a project's spec", Tag = "Projects", RequestBody = typeof(ProjectSpec), Response = typeof(ProjectPutResponse),
    Description = "Only `target` and `task` are required. Every change is stored as a new spec version; runs record the version they used.")]
public sealed class PutProjectFunction(CatalogServices catalog) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var project = ResourceName.Require(request.Route("project"), "project");
        var stored = await catalog.Projects.PutAsync(project, request.BodyText, context.CancellationToken).ConfigureAwait(false);
        return HttpResponseData.Json(new ProjectPutResponse(project, stored.Version, stored.Created, stored.Spec), stored.Created ? 201 : 200);
    }
}

/// <summary><c>GET /api/projects/{project}</c>.</summary>
[Function("GetProject")]
[HttpTrigger("projects/{project}", "get")]
[ApiOperation("A project's spec, model name, latest dataset and latest run", Tag = "Projects", Response = typeof(ProjectResponse))]
public sealed class GetProjectFunction(CatalogServices catalog) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var project = ResourceName.Require(request.Route("project"), "project");
        var ct = context.CancellationToken;
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: ct).ConfigureAwait(false);
        var dataset = await catalog.Datasets.FindLatestAsync(project, ct).ConfigureAwait(false);
        var runs = await catalog.Runs.ListAsync(project, ct).ConfigureAwait(false);
        var latestRun = runs.OrderByDescending(r => r.CreatedAt).FirstOrDefault();
        return HttpResponseData.Json(new ProjectResponse(project, spec.Version, spec.Spec, Mlops.Pipeline.Stages.ModelNameFor(project), dataset, latestRun));
    }
}
