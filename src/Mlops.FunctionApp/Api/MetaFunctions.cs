using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.FunctionApp.Hosting;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Api;

/// <summary>Liveness and the OpenAPI document.</summary>
public static class MetaFunctions
{
    private static readonly Lazy<string> Document = new(() => OpenApiDocumentBuilder.Build(Assembly.GetExecutingAssembly(), BuildInfo.CodeVersion));

    /// <summary><c>GET /api/health</c>: the app is up (liveness for load balancers and the demo).</summary>
    [Function("Health")]
    public static IActionResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        ApiJson.Result(new { status = "ok" });

    /// <summary><c>GET /api/openapi.json</c>: the OpenAPI document, generated from the functions' declarations.</summary>
    [Function("OpenApi")]
    public static IActionResult OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        new ContentResult { Content = Document.Value, ContentType = "application/json; charset=utf-8", StatusCode = 200 };
}
