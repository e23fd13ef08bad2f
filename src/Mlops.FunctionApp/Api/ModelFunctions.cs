using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.Serving;

namespace Mlops.FunctionApp.Api;

/// <summary>The registry: a model's versions and aliases, and alias moves by hand.</summary>
public sealed class ModelFunctions(CatalogServices catalog, ModelCache models)
{
    /// <summary>Versions with model cards, aliases, and the audit log of alias moves.</summary>
    [Function("GetModel")]
    [ApiOperation("A model's versions (with model cards), aliases and alias audit log", Tag = "Models", Response = typeof(ModelResponse))]
    public async Task<IActionResult> GetModel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "models/{name}")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        var model = await catalog.Models.GetModelAsync(name, context.CancellationToken).ConfigureAwait(false);
        if (model.Versions.Count == 0)
        {
            throw MlopsException.NotFound($"Model '{name}' has no versions yet: upload a dataset to project '{name}' to train one.");
        }

        var audit = new List<AuditEntry>();
        await foreach (var entry in catalog.Models.ListAuditAsync(name, context.CancellationToken).ConfigureAwait(false))
        {
            audit.Add(entry);
        }

        return ApiJson.Result(new ModelResponse(model.Name, model.Versions, model.Aliases, audit));
    }

    /// <summary>Promotes or rolls back by hand (audited, guarded by the expected version).</summary>
    [Function("MoveAlias")]
    [ApiOperation("Move an alias (promote / roll back)", Tag = "Models", RequestBody = typeof(MoveAliasRequest), Response = typeof(MoveAliasResponse),
        ErrorStatuses = [400, 404, 409], Description = "Body `{\"version\": N, \"reason\": \"...\", \"expectedVersion\": M}`; with expectedVersion the move " +
        "happens only if the alias still points to M (0: only if it does not exist), else 409. Every move is in the audit log.")]
    public async Task<IActionResult> MoveAlias(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{name}/aliases/{alias}")] HttpRequest request, string name, string alias,
        FunctionContext context)
    {
        ResourceName.Require(name, "name");
        ResourceName.Require(alias, "alias");
        var body = await RequestBody.ReadJsonAsync<MoveAliasRequest>(request, context.CancellationToken).ConfigureAwait(false);
        if (body.Version < 1)
        {
            throw MlopsException.Invalid("version", "range", "'version' must be a registered version number (1 or more).");
        }

        var principal = request.Headers["x-ms-client-principal-name"].FirstOrDefault();
        var result = await catalog.Models.MoveAliasAsync(new AliasMove
        {
            Model = name,
            Alias = alias,
            Version = body.Version,
            Actor = "api" + (string.IsNullOrEmpty(principal) ? "" : "/" + principal),
            Reason = string.IsNullOrWhiteSpace(body.Reason) ? "manual alias move" : body.Reason!,
            ExpectedVersion = body.ExpectedVersion,
        }, context.CancellationToken).ConfigureAwait(false);
        // A rollback takes effect on this instance's next request, not after the alias cache expires.
        models.Invalidate(name);
        return ApiJson.Result(new MoveAliasResponse(name, alias, result.Alias.Version, result.PreviousVersion, result.Changed));
    }
}
