using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.Query;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// The Durable HTTP management API under <c>/runtime/webhooks/durabletask</c> (spec §6.5): the extension's routes,
/// status codes, <c>Location</c>/<c>Retry-After</c> headers and payloads, over DTFx's client operations.
/// </summary>
internal sealed class ManagementApi(TaskHubOperations hub, IDurableFunctionInvoker invoker)
{
    public IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(DurableEngine.ManagementBasePath);
        group.MapPost("/orchestrators/{functionName}/{instanceId?}", (Delegate)StartAsync);
        group.MapGet("/instances/{instanceId}", (Delegate)GetStatusAsync);
        group.MapGet("/instances", (Delegate)ListAsync);
        group.MapDelete("/instances/{instanceId}", (Delegate)PurgeOneAsync);
        group.MapDelete("/instances", (Delegate)PurgeManyAsync);
        group.MapPost("/instances/{instanceId}/raiseEvent/{eventName}", (Delegate)RaiseEventAsync);
        group.MapPost("/instances/{instanceId}/terminate", (HttpContext h, string instanceId) => OperateAsync(h, instanceId, hub.TerminateAsync));
        group.MapPost("/instances/{instanceId}/suspend", (HttpContext h, string instanceId) => OperateAsync(h, instanceId, hub.SuspendAsync));
        group.MapPost("/instances/{instanceId}/resume", (HttpContext h, string instanceId) => OperateAsync(h, instanceId, hub.ResumeAsync));
        group.MapPost("/instances/{instanceId}/restart", (Delegate)RestartAsync);
        return group;
    }

    private async Task<IResult> StartAsync(HttpContext http, string functionName, string? instanceId)
    {
        if (!invoker.IsOrchestrator(functionName))
        {
            return Error(400, $"The function '{functionName}' doesn't exist, is disabled, or is not an orchestrator function.");
        }

        var (input, error) = await ReadJsonBodyAsync(http).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        try
        {
            var id = await hub.StartAsync(functionName, instanceId, input).ConfigureAwait(false);
            return CheckStatus(http, id);
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            // The extension lets this exception reach the Functions host, which answers 500 with its details.
            return Results.Json(new JsonObject
            {
                ["Message"] = "Something went wrong while processing your request",
                ["ExceptionMessage"] = ex.Message,
                ["ExceptionType"] = ex.GetType().FullName,
            }, statusCode: 500);
        }
    }

    private async Task<IResult> GetStatusAsync(HttpContext http, string instanceId)
    {
        var q = http.Request.Query;
        var showInput = Flag(q, "showInput", true);
        var state = await hub.GetAsync(instanceId, fetchInputsAndOutputs: true).ConfigureAwait(false);
        if (state is null)
        {
            return Results.NotFound();
        }

        var body = StatusPayload.From(state, showInput);
        if (Flag(q, "showHistory", false) && await hub.GetHistoryJsonAsync(instanceId).ConfigureAwait(false) is { } history)
        {
            body["historyEvents"] = StatusPayload.History(history, Flag(q, "showHistoryOutput", false), showInput);
        }

        switch (state.OrchestrationStatus)
        {
            case OrchestrationStatus.Running or OrchestrationStatus.Pending or OrchestrationStatus.ContinuedAsNew or OrchestrationStatus.Suspended:
                http.Response.Headers.Location = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}";
                http.Response.Headers.RetryAfter = "5";
                return Results.Json(body, statusCode: 202);
            case OrchestrationStatus.Failed when Flag(q, "returnInternalServerErrorOnFailure", false):
                return Results.Json(body, statusCode: 500);
            default:
                return Results.Json(body, statusCode: 200);
        }
    }

    private async Task<IResult> ListAsync(HttpContext http)
    {
        var q = http.Request.Query;
        var showInput = Flag(q, "showInput", false);
        var query = new OrchestrationQuery
        {
            CreatedTimeFrom = Time(q["createdTimeFrom"]),
            CreatedTimeTo = Time(q["createdTimeTo"]),
            RuntimeStatus = Statuses(q["runtimeStatus"]),
            InstanceIdPrefix = NullIfEmpty(q["instanceIdPrefix"]),
            PageSize = int.TryParse(q["top"], CultureInfo.InvariantCulture, out var top) && top > 0 ? top : 100,
            ContinuationToken = NullIfEmpty(http.Request.Headers["x-ms-continuation-token"]),
            FetchInputsAndOutputs = true,
        };
        var result = await hub.QueryAsync(query, http.RequestAborted).ConfigureAwait(false);
        var items = new JsonArray();
        foreach (var state in result.OrchestrationState)
        {
            items.Add(StatusPayload.From(state, showInput));
        }

        http.Response.Headers["x-ms-continuation-token"] = result.ContinuationToken ?? "";
        return Results.Json(items, statusCode: 200);
    }

    private async Task<IResult> PurgeOneAsync(string instanceId)
    {
        var deleted = await hub.PurgeAsync(instanceId).ConfigureAwait(false);
        return deleted == 0 ? Results.NotFound() : Results.Json(new JsonObject { ["instancesDeleted"] = deleted }, statusCode: 200);
    }

    private async Task<IResult> PurgeManyAsync(HttpContext http)
    {
        var q = http.Request.Query;
        if (Time(q["createdTimeFrom"]) is not { } from)
        {
            return Error(400, "A createdTimeFrom query parameter is required to purge instances.");
        }

        var statuses = Statuses(q["runtimeStatus"]);
        var deleted = await hub.PurgeAsync(from, Time(q["createdTimeTo"]), statuses.Count == 0 ? null : statuses).ConfigureAwait(false);
        return deleted == 0 ? Results.NotFound() : Results.Json(new JsonObject { ["instancesDeleted"] = deleted }, statusCode: 200);
    }

    private async Task<IResult> RaiseEventAsync(HttpContext http, string instanceId, string eventName)
    {
        if (http.Request.ContentLength > 0 && http.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Error(400, "Only application/json request content is supported");
        }

        var (data, error) = await ReadJsonBodyAsync(http).ConfigureAwait(false);
        return error ?? Outcome(await hub.RaiseEventAsync(instanceId, eventName, data).ConfigureAwait(false));
    }

    private static async Task<IResult> OperateAsync(HttpContext http, string instanceId, Func<string, string?, Task<InstanceOperationOutcome>> operation) =>
        Outcome(await operation(instanceId, http.Request.Query["reason"].FirstOrDefault()).ConfigureAwait(false));

    private async Task<IResult> RestartAsync(HttpContext http, string instanceId)
    {
        try
        {
            var id = await hub.RestartAsync(instanceId, Flag(http.Request.Query, "restartWithNewInstanceId", true)).ConfigureAwait(false);
            return id is null ? Results.NotFound() : CheckStatus(http, id);
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            return Error(400, ex.Message);
        }
    }

    /// <summary>202 with the check-status payload, <c>Location</c> = its status URL and <c>Retry-After: 10</c>.</summary>
    private static IResult CheckStatus(HttpContext http, string instanceId)
    {
        var payload = StatusPayload.CheckStatus(new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/"), instanceId, http.Request.Query["code"].FirstOrDefault());
        http.Response.Headers.Location = payload["statusQueryGetUri"]!.GetValue<string>();
        http.Response.Headers.RetryAfter = "10";
        return Results.Json(payload, statusCode: 202);
    }

    private static async Task<(string? Json, IResult? Error)> ReadJsonBodyAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            return (JsonNode.Parse(body)?.ToJsonString() ?? "null", null);
        }
        catch (JsonException ex)
        {
            return (null, Error(400, "Invalid JSON content: " + ex.Message));
        }
    }

    private static IResult Outcome(InstanceOperationOutcome outcome) => outcome switch
    {
        InstanceOperationOutcome.Accepted => Results.StatusCode(202),
        InstanceOperationOutcome.NotFound => Results.NotFound(),
        _ => Results.StatusCode(410),
    };

    private static IResult Error(int status, string message) => Results.Json(new JsonObject { ["Message"] = message }, statusCode: status);

    private static bool Flag(IQueryCollection q, string name, bool fallback) => bool.TryParse(q[name], out var value) ? value : fallback;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTime? Time(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static List<OrchestrationStatus> Statuses(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => Enum.TryParse<OrchestrationStatus>(s, ignoreCase: true, out var status) ? status : (OrchestrationStatus?)null)
            .OfType<OrchestrationStatus>()
            .ToList();
}
