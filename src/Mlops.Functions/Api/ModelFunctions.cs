using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Api;

/// <summary><c>GET /api/models/{name}</c>: versions with model cards, aliases, and the audit log of alias moves.</summary>
[Function("GetModel")]
[HttpTrigger("models/{name}", "get")]
[ApiOperation("A model's versions (with model cards), aliases and alias audit log", Tag = "Models", Response = typeof(ModelResponse))]
public sealed class GetModelFunction(CatalogServices catalog) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var model = await catalog.Models.GetModelAsync(name, context.CancellationToken).ConfigureAwait(false);
        if (model.Versions.Count == 0)
        {
            throw Core.Errors.MlopsException.NotFound($"Model '{name}' has no versions yet: upload a dataset to project '{name}' to train one.");
        }

        var audit = new List<AuditEntry>();
        await foreach (var entry in catalog.Models.ListAuditAsync(name, context.CancellationToken).ConfigureAwait(false))
        {
            audit.Add(entry);
        }

        return HttpResponseData.Json(new ModelResponse(model.Name, model.Versions, model.Aliases, audit));
    }
}

/// <summary><c>POST /api/models/{name}/aliases/{alias}</c>: promote or roll back by hand (audited, ETag-guarded).</summary>
[Function("MoveAlias")]
[HttpTrigger("models/{name}/aliases/{alias}", "post")]
[ApiOperation("Move an alias (promote / roll back)", Tag = "Models", RequestBody = typeof(MoveAliasRequest), Response = typeof(MoveAliasResponse),
    ErrorStatuses = [400, 404, 409], Description = "Body `{\"version\": N, \"reason\": \"...\", \"expectedVersion\": M}`; with expectedVersion the move " +
    "happens only if the alias still points to M (0: only if it does not exist), else 409. Every move is in the audit log.")]
public sealed class MoveAliasFunction(CatalogServices catalog, Mlops.Serving.ModelCache models) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var alias = ResourceName.Require(request.Route("alias"), "alias");
        var body = RequestJson.Read<MoveAliasRequest>(request);
        if (body.Version < 1)
        {
            throw Core.Errors.MlopsException.Invalid("version", "range", "'version' must be a registered version number (1 or more).");
        }

        var result = await catalog.Models.MoveAliasAsync(new AliasMove
        {
            Model = name,
            Alias = alias,
            Version = body.Version,
            Actor = "api" + (request.Headers.TryGetValue("x-ms-client-principal-name", out var who) && who.Length > 0 ? "/" + who[0] : ""),
            Reason = string.IsNullOrWhiteSpace(body.Reason) ? "manual alias move" : body.Reason!,
            ExpectedVersion = body.ExpectedVersion,
        }, context.CancellationToken).ConfigureAwait(false);
        // A rollback takes effect on this instance's next request, not after the alias cache expires.
        models.Invalidate(name);
        return HttpResponseData.Json(new MoveAliasResponse(name, alias, result.Alias.Version, result.PreviousVersion, result.Changed));
    }
}
