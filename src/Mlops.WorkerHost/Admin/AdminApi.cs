using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.WorkerHost.Http;

namespace Mlops.WorkerHost.Admin;

/// <summary>
/// The host's admin endpoints (spec §7): <c>POST /admin/functions/{name}</c> runs a non-HTTP function in the background
/// (202), <c>GET /admin/host/status</c> reports the state. Master key required only with --enable-auth.
/// </summary>
internal sealed class AdminApi(Func<string, string?, bool> fire, Func<string> state, KeyStore? keys, string hostId)
{
    private readonly DateTime _started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/functions/{name}", async (HttpContext context, string name) =>
        {
            if (!Authorized(context))
            {
                return Results.Unauthorized();
            }

            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                return Results.BadRequest();
            }

            if (body is not JsonObject)
            {
                return Results.BadRequest();
            }

            var input = body["input"] is JsonValue v && v.TryGetValue(out string? s) ? s : body["input"]?.ToJsonString();
            return fire(name, input) ? Results.Accepted() : Results.NotFound();
        });
        endpoints.MapGet("/admin/host/status", (HttpContext context) => !Authorized(context) ? Results.Unauthorized() : Results.Json(new
        {
            id = hostId,
            state = state(),
            version = "4.1037.0",
            versionDetails = "Mlops.WorkerHost",
            platformVersion = "",
            instanceId = Environment.MachineName,
            computerName = Environment.MachineName,
            processUptime = (long)(DateTime.UtcNow - _started).TotalMilliseconds,
            functionAppContentEditingState = "NotAllowed",
        }));
        endpoints.MapGet("/admin/host/ping", () => Results.Ok());
    }

    private bool Authorized(HttpContext context) => keys is null || keys.Authorizes("admin", "", HttpFunctionHandler.RequestKey(context.Request));
}
