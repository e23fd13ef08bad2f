using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.Durable.Protocol;
using Mlops.LocalHost.Http;

namespace Mlops.LocalHost.Durable;

/// <summary>
/// The Durable HTTP management API under <c>/runtime/webhooks/durabletask</c> (spec §6.2), with the 2.x extension's
/// status codes, <c>Location</c>/<c>Retry-After</c> headers and check-status payload.
/// </summary>
internal sealed class ManagementApi(DurableClient client, KeyStore keys, bool enforceKeys)
{
    public const string BasePath = "/runtime/webhooks/durabletask";

    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath);
        group.AddEndpointFilter(async (context, next) =>
        {
            if (enforceKeys && !keys.AuthorizesDurable(context.HttpContext.Request.Query["code"].FirstOrDefault() ?? context.HttpContext.Request.Headers["x-functions-key"].FirstOrDefault()))
            {
                return Results.Unauthorized();
            }

            return await next(context).ConfigureAwait(false);
        });
        group.MapPost("/orchestrators/{functionName}/{instanceId?}", (Delegate)StartAsync);
        group.MapGet("/instances/{instanceId}", (Delegate)GetStatusAsync);
        group.MapGet("/instances", (Delegate)ListAsync);
        group.MapPost("/instances/{instanceId}/raiseEvent/{eventName}", (Delegate)RaiseEventAsync);
        group.MapPost("/instances/{instanceId}/terminate", (HttpContext h, string instanceId) => Operate(h, instanceId, client.TerminateAsync));
        group.MapPost("/instances/{instanceId}/suspend", (HttpContext h, string instanceId) => Operate(h, instanceId, client.SuspendAsync));
        group.MapPost("/instances/{instanceId}/resume", (HttpContext h, string instanceId) => Operate(h, instanceId, client.ResumeAsync));
        group.MapPost("/instances/{instanceId}/rewind", (Delegate)RewindAsync);
        group.MapPost("/instances/{instanceId}/restart", (Delegate)RestartAsync);
        group.MapDelete("/instances/{instanceId}", (Delegate)PurgeOneAsync);
        group.MapDelete("/instances", (Delegate)PurgeManyAsync);
    }

    private async Task<IResult> StartAsync(HttpContext http, string functionName, string? instanceId)
    {
        var ct = http.RequestAborted;
        string? input = null;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            var body = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(body))
            {
                try
                {
                    input = JsonNode.Parse(body)?.ToJsonString() ?? "null";
                }
                catch (JsonException ex)
                {
                    return Error(400, "Invalid JSON content: " + ex.Message);
                }
            }
        }

        string id;
        try
        {
            id = await client.StartNewAsync(functionName, instanceId, input, ct).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return Error(400, ex.Message);
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            return Results.Json(new JsonObject
            {
                ["Message"] = "Something went wrong while processing your request",
                ["ExceptionMessage"] = ex.Message,
                ["ExceptionType"] = "DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException",
                ["StackTrace"] = ex.StackTrace,
            }, statusCode: 500);
        }

        if (double.TryParse(http.Request.Query["timeout"], CultureInfo.InvariantCulture, out var timeoutSeconds) &&
            double.TryParse(http.Request.Query["pollingInterval"], CultureInfo.InvariantCulture, out var intervalSeconds))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(timeoutSeconds);
            while (DateTime.UtcNow < deadline)
            {
                var record = await client.GetAsync(id, ct).ConfigureAwait(false);
                if (record?.RuntimeStatus == RuntimeStatus.Completed)
                {
                    return new RawJson(200, record.Output ?? "null");
                }

                if (record is { RuntimeStatus: RuntimeStatus.Failed or RuntimeStatus.Terminated or RuntimeStatus.Canceled })
                {
                    return Results.Json(StatusObject(record, true, null, false), statusCode: 200);
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.05, intervalSeconds)), ct).ConfigureAwait(false);
            }
        }

        return CheckStatus(http, id);
    }

    /// <summary>202 Accepted with the check-status payload, <c>Location</c> and <c>Retry-After: 10</c>.</summary>
    public IResult CheckStatus(HttpContext http, string instanceId)
    {
        var payload = CheckStatusPayload(new Uri($"{http.Request.Scheme}://{http.Request.Host}/"), instanceId);
        http.Response.Headers.Location = payload["statusQueryGetUri"]!.GetValue<string>();
        http.Response.Headers.RetryAfter = "10";
        return Results.Json(payload, statusCode: 202);
    }

    /// <summary>The check-status properties in the extension's order (spec §6.2).</summary>
    public JsonObject CheckStatusPayload(Uri hostBase, string instanceId)
    {
        var b = new Uri(hostBase, BasePath.TrimStart('/')).ToString().TrimEnd('/');
        var i = $"{b}/instances/{Uri.EscapeDataString(instanceId)}";
        var q = RequiredQuery(client.Context.Hub.Name);
        return new JsonObject
        {
            ["id"] = instanceId,
            ["statusQueryGetUri"] = $"{i}?{q}",
            ["sendEventPostUri"] = $"{i}/raiseEvent/{{eventName}}?{q}",
            ["terminatePostUri"] = $"{i}/terminate?reason={{text}}&{q}",
            ["purgeHistoryDeleteUri"] = $"{i}?{q}",
            ["restartPostUri"] = $"{i}/restart?{q}",
            ["suspendPostUri"] = $"{i}/suspend?reason={{text}}&{q}",
            ["resumePostUri"] = $"{i}/resume?reason={{text}}&{q}",
        };
    }

    /// <summary>The durableClient payload's <c>requiredQueryStringParameters</c> (spec §6.1): the system key only.</summary>
    public string RequiredQueryStringParameters => $"code={Uri.EscapeDataString(keys.DurableExtensionKey)}";

    public string RequiredQuery(string hub) => $"taskHub={Uri.EscapeDataString(hub)}&connection=Storage&code={Uri.EscapeDataString(keys.DurableExtensionKey)}";

    private async Task<IResult> GetStatusAsync(HttpContext http, string instanceId)
    {
        var ct = http.RequestAborted;
        var q = http.Request.Query;
        var record = await client.GetAsync(instanceId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return Results.NotFound();
        }

        var showInput = !bool.TryParse(q["showInput"], out var si) || si;
        var showHistory = bool.TryParse(q["showHistory"], out var sh) && sh;
        var showHistoryOutput = bool.TryParse(q["showHistoryOutput"], out var sho) && sho;
        var returnInternalServerErrorOnFailure = bool.TryParse(q["returnInternalServerErrorOnFailure"], out var rise) && rise;
        var history = showHistory ? await client.GetHistoryAsync(instanceId, ct).ConfigureAwait(false) : null;
        var body = StatusObject(record, showInput, history, showHistoryOutput);
        switch (record.RuntimeStatus)
        {
            case RuntimeStatus.Running or RuntimeStatus.Pending or RuntimeStatus.ContinuedAsNew or RuntimeStatus.Suspended:
                http.Response.Headers.Location = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}";
                http.Response.Headers.RetryAfter = "5";
                return Results.Json(body, statusCode: 202);
            case RuntimeStatus.Failed when returnInternalServerErrorOnFailure:
                return Results.Json(body, statusCode: 500);
            default:
                return Results.Json(body, statusCode: 200);
        }
    }

    private async Task<IResult> ListAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var q = http.Request.Query;
        var showInput = !bool.TryParse(q["showInput"], out var si) || si;
        int? top = int.TryParse(q["top"], out var t) && t > 0 ? t : null;
        var filter = Filter(q["instanceIdPrefix"], q["createdTimeFrom"], q["createdTimeTo"], q["runtimeStatus"]);
        var token = http.Request.Headers["x-ms-continuation-token"].FirstOrDefault();
        var result = new JsonArray();
        string? next = null;
        await foreach (var page in client.Context.Instances.QueryPages(filter, top, ct).AsPages(string.IsNullOrEmpty(token) ? null : token, top).ConfigureAwait(false))
        {
            foreach (var e in page.Values)
            {
                if (InstanceStore.IsTombstone(e))
                {
                    continue;
                }

                var record = InstanceStore.FromEntity(e);
                await client.Context.Instances.LoadLargeColumnsAsync(record, e, ct).ConfigureAwait(false);
                result.Add(StatusObject(record, showInput, null, false));
            }

            next = page.ContinuationToken;
            if (top is not null)
            {
                break;
            }
        }

        http.Response.Headers["x-ms-continuation-token"] = next ?? "";
        return Results.Json(result, statusCode: 200);
    }

    private async Task<IResult> RaiseEventAsync(HttpContext http, string instanceId, string eventName)
    {
        var ct = http.RequestAborted;
        if (http.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Error(400, "Only application/json request content is supported");
        }

        string? data;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8))
        {
            var body = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
            try
            {
                data = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body)?.ToJsonString() ?? "null";
            }
            catch (JsonException ex)
            {
                return Error(400, "Invalid JSON content: " + ex.Message);
            }
        }

        return Result(await client.RaiseEventAsync(instanceId, eventName, data, ct).ConfigureAwait(false));
    }

    private static async Task<IResult> Operate(HttpContext http, string instanceId, Func<string, string?, CancellationToken, Task<InstanceOperationResult>> operation) =>
        Result(await operation(instanceId, http.Request.Query["reason"].FirstOrDefault(), http.RequestAborted).ConfigureAwait(false));

    private async Task<IResult> RewindAsync(HttpContext http, string instanceId)
    {
        var record = await client.GetAsync(instanceId, http.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            return Results.NotFound();
        }

        if (record.RuntimeStatus is RuntimeStatus.Completed or RuntimeStatus.Terminated or RuntimeStatus.Canceled)
        {
            return Results.StatusCode(410);
        }

        return Error(501, "Rewind is deprecated and not supported by this local host.");
    }

    private async Task<IResult> RestartAsync(HttpContext http, string instanceId)
    {
        var ct = http.RequestAborted;
        var record = await client.GetAsync(instanceId, ct).ConfigureAwait(false);
        if (record is null)
        {
            return Error(400, $"An orchestration with the instanceId {instanceId} was not found.");
        }

        var newId = !bool.TryParse(http.Request.Query["restartWithNewInstanceId"], out var fresh) || fresh ? null : instanceId;
        try
        {
            var id = await client.StartNewAsync(record.Name, newId, record.Input, ct).ConfigureAwait(false);
            return CheckStatus(http, id);
        }
        catch (ArgumentException ex)
        {
            return Error(400, ex.Message);
        }
        catch (OrchestrationAlreadyExistsException ex)
        {
            return Error(500, ex.Message);
        }
    }

    private async Task<IResult> PurgeOneAsync(HttpContext http, string instanceId) =>
        await client.PurgeAsync(instanceId, http.RequestAborted).ConfigureAwait(false)
            ? Results.Json(new JsonObject { ["instancesDeleted"] = 1 }, statusCode: 200)
            : Results.NotFound();

    private async Task<IResult> PurgeManyAsync(HttpContext http)
    {
        var ct = http.RequestAborted;
        var q = http.Request.Query;
        if (string.IsNullOrEmpty(q["createdTimeFrom"]))
        {
            return Error(400, "createdTimeFrom is required.");
        }

        var to = string.IsNullOrEmpty(q["createdTimeTo"]) ? DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture) : q["createdTimeTo"].ToString();
        var filter = Filter(null, q["createdTimeFrom"], to, q["runtimeStatus"]);
        var ids = new List<string>();
        await foreach (var record in client.Context.Instances.QueryAsync(filter, ct).ConfigureAwait(false))
        {
            ids.Add(record.InstanceId);
        }

        var deleted = 0;
        foreach (var id in ids)
        {
            if (await client.PurgeAsync(id, ct).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted == 0 ? Results.NotFound() : Results.Json(new JsonObject { ["instancesDeleted"] = deleted }, statusCode: 200);
    }

    private static string? Filter(string? prefix, string? from, string? to, string? statuses)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(prefix))
        {
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + '\uffff'}"));
        }

        if (DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var f))
        {
            parts.Add(TableClient.CreateQueryFilter($"CreatedTime ge {f}"));
        }

        if (DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            parts.Add(TableClient.CreateQueryFilter($"CreatedTime le {t}"));
        }

        if (!string.IsNullOrEmpty(statuses))
        {
            var ors = statuses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => TableClient.CreateQueryFilter($"RuntimeStatus eq {s}"));
            parts.Add("(" + string.Join(" or ", ors) + ")");
        }

        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    private static IResult Result(InstanceOperationResult r) => r switch
    {
        InstanceOperationResult.Accepted => Results.StatusCode(202),
        InstanceOperationResult.NotFound => Results.NotFound(),
        _ => Results.StatusCode(410),
    };

    private static IResult Error(int status, string message) => Results.Json(new JsonObject { ["Message"] = message }, statusCode: status);

    /// <summary>The instance status object (spec §6.2): stored strings are parsed as JSON when they can be.</summary>
    public static JsonObject StatusObject(InstanceRecord r, bool showInput, IReadOnlyList<HistoryEvent>? history, bool showHistoryOutput)
    {
        var o = new JsonObject
        {
            ["name"] = r.Name,
            ["instanceId"] = r.InstanceId,
            ["runtimeStatus"] = r.RuntimeStatus.ToString(),
            ["input"] = showInput ? ParseLoose(r.Input) : null,
            ["customStatus"] = ParseLoose(r.CustomStatus),
            ["output"] = ParseLoose(r.Output),
            ["createdTime"] = r.CreatedTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["lastUpdatedTime"] = r.LastUpdatedTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        if (history is not null)
        {
            o["historyEvents"] = HistoryEvents(history, showInput, showHistoryOutput);
        }

        return o;
    }

    private static JsonNode? ParseLoose(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    /// <summary>History in DTFx's PascalCase form, cleaned up like the extension does (spec §6.2).</summary>
    private static JsonArray HistoryEvents(IReadOnlyList<HistoryEvent> events, bool showInput, bool showOutput)
    {
        var scheduled = new Dictionary<int, HistoryEvent>();
        var result = new JsonArray();
        static string Ts(HistoryEvent e) => e.Timestamp.ToDateTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);
        foreach (var e in events)
        {
            var item = new JsonObject { ["EventType"] = e.EventTypeCase.ToString(), ["Timestamp"] = Ts(e) };
            switch (e.EventTypeCase)
            {
                case HistoryEvent.EventTypeOneofCase.OrchestratorStarted:
                case HistoryEvent.EventTypeOneofCase.OrchestratorCompleted:
                    continue;
                case HistoryEvent.EventTypeOneofCase.TaskScheduled:
                    scheduled[e.EventId] = e;
                    continue;
                case HistoryEvent.EventTypeOneofCase.ExecutionStarted:
                    item["FunctionName"] = e.ExecutionStarted.Name;
                    if (showInput)
                    {
                        item["Input"] = ParseLoose(e.ExecutionStarted.Input);
                    }

                    break;
                case HistoryEvent.EventTypeOneofCase.TaskCompleted:
                    AddScheduled(item, scheduled, e.TaskCompleted.TaskScheduledId, Ts);
                    if (showOutput)
                    {
                        item["Result"] = ParseLoose(e.TaskCompleted.Result);
                    }

                    break;
                case HistoryEvent.EventTypeOneofCase.TaskFailed:
                    AddScheduled(item, scheduled, e.TaskFailed.TaskScheduledId, Ts);
                    item["Reason"] = e.TaskFailed.FailureDetails?.ErrorMessage;
                    item["Details"] = e.TaskFailed.FailureDetails?.InnerFailure?.ErrorMessage;
                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionCompleted:
                    item["OrchestrationStatus"] = DurableEvents.FromProto(e.ExecutionCompleted.OrchestrationStatus).ToString();
                    if (showOutput)
                    {
                        item["Result"] = ParseLoose(DurableEvents.OutputOf(e.ExecutionCompleted));
                    }

                    break;
                case HistoryEvent.EventTypeOneofCase.TimerCreated:
                    item["FireAt"] = e.TimerCreated.FireAt.ToDateTime().ToString("o", CultureInfo.InvariantCulture);
                    break;
                case HistoryEvent.EventTypeOneofCase.TimerFired:
                    item["FireAt"] = e.TimerFired.FireAt.ToDateTime().ToString("o", CultureInfo.InvariantCulture);
                    break;
                case HistoryEvent.EventTypeOneofCase.EventRaised:
                    item["Name"] = e.EventRaised.Name;
                    if (showInput)
                    {
                        item["Input"] = ParseLoose(e.EventRaised.Input);
                    }

                    break;
                case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated:
                    item["FunctionName"] = e.SubOrchestrationInstanceCreated.Name;
                    item["InstanceId"] = e.SubOrchestrationInstanceCreated.InstanceId;
                    break;
                case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCompleted:
                    if (showOutput)
                    {
                        item["Result"] = ParseLoose(e.SubOrchestrationInstanceCompleted.Result);
                    }

                    break;
                case HistoryEvent.EventTypeOneofCase.ExecutionTerminated:
                    item["Input"] = e.ExecutionTerminated.Input;
                    break;
            }

            result.Add(item);
        }

        return result;
    }

    private static void AddScheduled(JsonObject item, Dictionary<int, HistoryEvent> scheduled, int id, Func<HistoryEvent, string> ts)
    {
        if (scheduled.TryGetValue(id, out var s))
        {
            item["FunctionName"] = s.TaskScheduled.Name;
            item["ScheduledTime"] = ts(s);
        }
    }

    /// <summary>A 200 whose body is stored JSON text written as is.</summary>
    private sealed class RawJson(int status, string json) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            return httpContext.Response.WriteAsync(json);
        }
    }
}
