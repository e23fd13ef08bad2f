using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.Core.Errors;

namespace Mlops.FunctionApp.Dashboard;

/// <summary>
/// <c>GET /api/ui/{*path}</c>: the browser dashboard, static pages that read only the public HTTP API. A path with a
/// file extension is a file of the dashboard (404 if there is none); any other path is a client-side route and gets
/// <c>index.html</c>. Same protection as the API: anonymous at the function level, App Service authentication in Azure
/// (infra/modules/function-app.bicep) in front of both.
/// </summary>
public sealed class DashboardFunctions
{
    // Vega compiles its expressions with Function(), hence 'unsafe-eval'; nothing else is loaded from anywhere but here.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private readonly DashboardAssets _assets = new(DashboardAssets.DefaultRoot);

    /// <summary>Serves a dashboard file, or the index page for a client-side route.</summary>
    [Function("Dashboard")]
    public IActionResult Serve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "ui/{*path}")] HttpRequest request, FunctionContext context)
    {
        var path = context.BindingContext.BindingData.TryGetValue("path", out var value) ? value?.ToString() ?? "" : "";
        path = path.Trim();
        var requestPath = request.Path.Value ?? "";
        if (path.Length == 0 && !requestPath.EndsWith('/'))
        {
            // The pages load their scripts by relative URL, which needs the trailing slash.
            return new RedirectResult(requestPath + "/" + request.QueryString, permanent: false);
        }

        if (!_assets.Installed)
        {
            throw new MlopsException(ErrorCode.NotFound,
                "The dashboard is not in this build: build src/Mlops.FunctionApp with the npm packages installed (tools/setup runs npm ci).");
        }

        var asset = DashboardAssets.LooksLikeFile(path) ? _assets.Find(path) : _assets.Find(DashboardAssets.IndexFile);
        if (asset is null)
        {
            throw MlopsException.NotFound($"The dashboard has no file '{path}'.");
        }

        var headers = request.HttpContext.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = asset.IsVendor ? "public, max-age=86400" : "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.Vary = "Accept-Encoding";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }

        if (request.Headers.IfNoneMatch.Any(tag => tag == asset.ETag))
        {
            return new StatusCodeResult(StatusCodes.Status304NotModified);
        }

        var gzip = asset.Gzip is not null && request.Headers.AcceptEncoding.Any(e => e?.Contains("gzip", StringComparison.OrdinalIgnoreCase) == true);
        if (gzip)
        {
            headers.ContentEncoding = "gzip";
        }

        return new FileContentResult(gzip ? asset.Gzip! : asset.Content, asset.ContentType);
    }
}
