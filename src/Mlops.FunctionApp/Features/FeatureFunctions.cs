using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Features;
using Mlops.Features.Definitions;
using Mlops.Features.Sources;
using Mlops.FunctionApp.Hosting;

namespace Mlops.FunctionApp.Features;

/// <summary><c>PUT /api/projects/{project}/features/{view}</c>: the stored version.</summary>
public sealed record FeatureViewPutResponse(string Project, string View, int Version, bool Created, FeatureViewSpec Spec);

/// <summary><c>GET /api/projects/{project}/features/{view}</c>: the definition, its versions and its materialisations.</summary>
public sealed record FeatureViewResponse(string Project, string View, int Version, FeatureViewSpec Spec, IReadOnlyList<FeatureViewVersion> Versions,
    IReadOnlyList<MaterializationSummary> Materializations);

/// <summary>A started materialisation with its status URLs.</summary>
public sealed record MaterializeResponse(string View, string InstanceId, bool Started, HttpManagementPayload Status);

/// <summary><c>POST /api/feature-sources/{source}/data</c>: the stored upload and the materialisations it started.</summary>
public sealed record SourceUploadResponse(SourceUpload Upload, IReadOnlyList<LaunchedMaterialization> Materializations);

/// <summary>The feature store's HTTP API (DESIGN.md §10).</summary>
public sealed class FeatureFunctions(FeatureStore store, FeatureMaterializationLauncher launcher)
{
    /// <summary>Creates or changes a feature view; every change is a new version.</summary>
    [Function("PutFeatureView")]
    [ApiOperation("Create or replace a feature view", Tag = "Features", RequestBody = typeof(FeatureViewSpec), Response = typeof(FeatureViewPutResponse), SuccessStatus = 201,
        ErrorStatuses = [400, 404, 409],
        Description = "Entity key column(s), the event-time `timestamp` column, the `source` (`{\"project\": ...}` or `{\"stream\": ...}`), `features` " +
                      "(a `column` as is; `lag`; `aggregate` mean/min/max/sum/count over a `window` (ISO 8601 duration, the row's own time excluded) or " +
                      "`rows`; or an `expression`; optional `fill`), `ttl` and `schedule`. 201 for a new version, 200 when unchanged; 400 names each bad " +
                      "field (columns are checked against the source's newest data); 409 when another project owns the view name.")]
    public async Task<IActionResult> PutFeatureView(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "projects/{project}/features/{view}")] HttpRequest request, string project, string view,
        FunctionContext context)
    {
        ResourceName.Require(project, "project");
        ResourceName.Require(view, "view");
        var body = await RequestBody.ReadBytesAsync(request, RequestBody.MaxJsonBytes, context.CancellationToken).ConfigureAwait(false);
        var stored = await store.PutViewAsync(project, view, Encoding.UTF8.GetString(body), context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Result(new FeatureViewPutResponse(project, view, stored.Version, stored.Created, stored.Spec), stored.Created ? 201 : 200);
    }

    /// <summary>A view's definition, versions and materialisations.</summary>
    [Function("GetFeatureView")]
    [ApiOperation("A feature view: definition, versions, materialisations (time range, rows, manifest)", Tag = "Features", Response = typeof(FeatureViewResponse))]
    public async Task<IActionResult> GetFeatureView(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}/features/{view}")] HttpRequest request, string project, string view,
        FunctionContext context)
    {
        var ct = context.CancellationToken;
        var latest = await OwnedViewAsync(project, view, ct).ConfigureAwait(false);
        var versions = await store.Views.ListVersionsAsync(view, ct).ToListAsync(ct).ConfigureAwait(false);
        var materializations = await store.Views.ListMaterializationsAsync(view, ct).ConfigureAwait(false);
        return ApiJson.Result(new FeatureViewResponse(project, view, latest.Version, latest.Spec, versions, materializations));
    }

    /// <summary>Starts a materialisation of the view's latest version.</summary>
    [Function("MaterializeFeatureViewNow")]
    [ApiOperation("Materialise a feature view now", Tag = "Features", Response = typeof(MaterializeResponse), SuccessStatus = 202, ErrorStatuses = [400, 404],
        Description = "202 with the orchestration's check-status URLs. Re-materialising the same data writes nothing new (same files, manifest and online rows).")]
    public async Task<IActionResult> Materialize(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects/{project}/features/{view}/materialize")] HttpRequest request, string project, string view,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        _ = await OwnedViewAsync(project, view, context.CancellationToken).ConfigureAwait(false);
        var launched = await launcher.LaunchAsync(client, view, context.CancellationToken).ConfigureAwait(false);
        var status = client.CreateHttpManagementPayload(launched.InstanceId, await context.GetHttpRequestDataAsync().ConfigureAwait(false));
        request.HttpContext.Response.Headers.Location = status.StatusQueryGetUri;
        return ApiJson.Result(new MaterializeResponse(view, launched.InstanceId, launched.Started, status), 202);
    }

    /// <summary>Point-in-time join of request rows (Feast's <c>get_historical_features</c>).</summary>
    [Function("GetHistoricalFeatures")]
    [ApiOperation("Feature values as of each row's own timestamp", Tag = "Features", Response = typeof(HistoricalResponse), ErrorStatuses = [400, 404, 413],
        Description = "Body `{\"rows\": [{\"origin\": \"DTW\", \"date\": \"2001-01-05T10:00:00\"}, ...]}`: each row gets the values of the latest feature row of its " +
                      "entity at or before its timestamp (never a later one), missing (null) when older than the view's TTL; in request order, with `_featureTime`.")]
    public async Task<IActionResult> GetHistoricalFeatures(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "features/{view}/historical")] HttpRequest request, string view, FunctionContext context)
    {
        ResourceName.Require(view, "view");
        var body = await RequestBody.ReadBytesAsync(request, 16 * 1024 * 1024, context.CancellationToken).ConfigureAwait(false);
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            throw MlopsException.Invalid("$", "json", "The body is not valid JSON.");
        }

        return ApiJson.Result(await store.GetHistoricalAsync(view, json, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>An entity's online values.</summary>
    [Function("GetOnlineFeatures")]
    [ApiOperation("An entity's latest feature values from the online store, with event time and freshness", Tag = "Features", Response = typeof(OnlineLookup),
        Description = "Several key columns: their values joined by `|` in key order. `stale` is true when the values are older than the view's TTL " +
                      "(predict treats them as missing). 404 names the entity and the view when the store has nothing for it.")]
    public async Task<IActionResult> GetOnlineFeatures(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "features/{view}/{entity}")] HttpRequest request, string view, string entity, FunctionContext context)
    {
        ResourceName.Require(view, "view");
        return ApiJson.Result(await store.GetOnlineAsync(view, entity, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary>Uploads rows to a feature-source stream and materialises the views that read it.</summary>
    [Function("PostFeatureSourceData")]
    [ApiOperation("Upload rows to a feature-source stream", Tag = "Features", RequestMediaTypes = ["text/csv", "application/json"], Response = typeof(SourceUploadResponse),
        SuccessStatus = 202, ErrorStatuses = [400, 413],
        Description = "CSV with a header, or a JSON array of flat objects. Stored content-addressed (an identical upload is the existing one); every view " +
                      "whose source is this stream is materialised.")]
    public async Task<IActionResult> PostFeatureSourceData(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "feature-sources/{source}/data")] HttpRequest request, string source,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        ResourceName.Require(source, "source");
        var body = await RequestBody.ReadBytesAsync(request, 64 * 1024 * 1024, context.CancellationToken).ConfigureAwait(false);
        var upload = await store.Sources.IngestAsync(source, new MemoryStream(body), request.ContentType, context.CancellationToken).ConfigureAwait(false);
        var launched = upload.Created
            ? await launcher.LaunchForSourceAsync(client, "stream", source, context.CancellationToken).ConfigureAwait(false)
            : [];
        return ApiJson.Result(new SourceUploadResponse(upload, launched), upload.Created ? 202 : 200);
    }

    private async Task<FeatureViewVersion> OwnedViewAsync(string project, string view, CancellationToken ct)
    {
        ResourceName.Require(project, "project");
        ResourceName.Require(view, "view");
        var latest = await store.Views.GetAsync(view, cancellationToken: ct).ConfigureAwait(false);
        return latest.Project == project ? latest : throw MlopsException.NotFound($"Project '{project}' has no feature view '{view}'.");
    }
}
