using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Core.Errors;

namespace Mlops.Functions.Hosting;

/// <summary>Runs orchestrator and activity invocations; implemented over the Durable SDK.</summary>
public interface IDurableInvoker
{
    /// <summary>Replays an orchestrator episode; returns the response body <c>{"ReturnValue":"&lt;base64&gt;"}</c>.</summary>
    Task<string> InvokeOrchestratorAsync(FunctionDescriptor function, JsonElement body, CancellationToken cancellationToken);

    /// <summary>Runs an activity; returns the response body <c>{"ReturnValue": value}</c>. Throws when the activity fails.</summary>
    Task<string> InvokeActivityAsync(FunctionDescriptor function, JsonElement body, IServiceProvider services, CancellationToken cancellationToken);
}

/// <summary>
/// Turns host invocations into function calls: <c>POST /{Function}</c> with the JSON payload (spec §2), and forwarded
/// HTTP requests (spec §2.4). Domain errors become problem details; anything else fails the invocation.
/// </summary>
public sealed partial class FunctionDispatcher(FunctionCatalog catalog, IServiceProvider services, ILogger<FunctionDispatcher> logger)
{
    /// <summary>Handles <c>POST /{functionName}</c> from the host.</summary>
    public async Task HandlePayloadAsync(string functionName, HttpContext http)
    {
        var function = catalog.Find(functionName);
        if (function is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync($"No function named '{functionName}'.", http.RequestAborted).ConfigureAwait(false);
            return;
        }

        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            body = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("Invocation body is not JSON: " + ex.Message, http.RequestAborted).ConfigureAwait(false);
            return;
        }

        var invocationId = http.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
        await using var scope = services.CreateAsyncScope();
        string responseJson;
        try
        {
            responseJson = await InvokeAsync(function, body, invocationId, scope.ServiceProvider, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            LogFailed(logger, function.Name, invocationId, ex);
            // A non-2xx status fails the invocation (spec §2.3): the host retries blobs, fails activities, etc.
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(new { error = ex.GetType().Name, message = ex.Message }), http.RequestAborted)
                .ConfigureAwait(false);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(responseJson, http.RequestAborted).ConfigureAwait(false);
    }

    private async Task<string> InvokeAsync(FunctionDescriptor function, JsonElement body, string invocationId, IServiceProvider scoped, CancellationToken ct)
    {
        switch (function.Kind)
        {
            case TriggerKind.Orchestration:
                return await scoped.GetRequiredService<IDurableInvoker>().InvokeOrchestratorAsync(function, body, ct).ConfigureAwait(false);
            case TriggerKind.Activity:
                return await scoped.GetRequiredService<IDurableInvoker>().InvokeActivityAsync(function, body, scoped, ct).ConfigureAwait(false);
        }

        var payload = InvocationPayload.Parse(body);
        var durablePayload = function.HasDurableClient ? InvocationPayload.Unquote(payload.DataValue(DurableClientAttribute.BindingName)) : null;
        var context = new FunctionContext(function.Name, invocationId, scoped, payload.Metadata, durablePayload, ct);
        var instance = Create(function, scoped);
        var result = new JsonObject();
        switch (function.Kind)
        {
            case TriggerKind.Http:
                var request = payload.ReadHttpRequest(function.Trigger.BindingName);
                var response = await RunHttpAsync((IHttpFunction)instance, request, context).ConfigureAwait(false);
                result["Outputs"] = new JsonObject { ["res"] = ToOutputBinding(response) };
                break;
            case TriggerKind.Blob:
                var pattern = ((BlobTriggerAttribute)function.Trigger).Path;
                await ((IBlobFunction)instance).RunAsync(payload.ReadBlob(function.Trigger.BindingName, PathTokens(pattern)), context).ConfigureAwait(false);
                break;
            case TriggerKind.Timer:
                await ((ITimerFunction)instance).RunAsync(payload.ReadTimer(function.Trigger.BindingName), context).ConfigureAwait(false);
                break;
        }

        if (context.Logs.Count > 0)
        {
            result["Logs"] = new JsonArray(context.Logs.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
        }

        return result.ToJsonString();
    }

    /// <summary>Handles a forwarded HTTP request (the raw request at its public path).</summary>
    public async Task HandleForwardedAsync(FunctionDescriptor function, HttpContext http)
    {
        var body = await ReadBodyAsync(http).ConfigureAwait(false);
        var request = new HttpRequestData(
            http.Request.Method,
            new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}"),
            http.Request.RouteValues.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()!, StringComparer.OrdinalIgnoreCase),
            http.Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            http.Request.Headers.ToDictionary(kv => kv.Key, kv => kv.Value.Select(v => v ?? "").ToArray(), StringComparer.OrdinalIgnoreCase),
            body);
        var invocationId = http.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
        var scope = http.RequestServices;
        var context = new FunctionContext(function.Name, invocationId, scope, default, null, http.RequestAborted);
        var instance = (IHttpFunction)Create(function, scope);
        var response = await RunHttpAsync(instance, request, context).ConfigureAwait(false);
        http.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
        {
            http.Response.Headers[name] = value;
        }

        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted).ConfigureAwait(false);
    }

    // Function classes are built per invocation from DI; the constructor lookup is done once per type (hot path: predict).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    private object Create(FunctionDescriptor function, IServiceProvider services) =>
        _factories.GetOrAdd(function.Type, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes))(services, null);

    // One copy of the body: straight into an array of the announced length, else through a buffer.
    private static async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        if (http.Request.ContentLength is { } length and <= int.MaxValue)
        {
            var body = new byte[length];
            await http.Request.Body.ReadExactlyAsync(body, http.RequestAborted).ConfigureAwait(false);
            return body;
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private async Task<HttpResponseData> RunHttpAsync(IHttpFunction function, HttpRequestData request, FunctionContext context)
    {
        try
        {
            return await function.RunAsync(request, context).ConfigureAwait(false);
        }
        catch (MlopsException ex)
        {
            if (ex.Code == ErrorCode.Internal)
            {
                LogFailed(logger, context.FunctionName, context.InvocationId, ex);
            }

            return Problems.From(ex, request.Url.AbsolutePath);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, context.FunctionName, context.InvocationId, ex);
            return Problems.Create(500, "Internal error",
                $"The function failed unexpectedly (invocation {context.InvocationId}). The error was logged; retry, and report it if it persists.",
                request.Url.AbsolutePath, "internal");
        }
    }

    private static JsonObject ToOutputBinding(HttpResponseData response)
    {
        var headers = new JsonObject();
        foreach (var (name, value) in response.Headers)
        {
            headers[name] = value;
        }

        return new JsonObject
        {
            ["statusCode"] = response.StatusCode,
            ["body"] = System.Text.Encoding.UTF8.GetString(response.Body),
            ["headers"] = headers,
        };
    }

    /// <summary>The <c>{token}</c> names of a blob path pattern.</summary>
    internal static IEnumerable<string> PathTokens(string pattern) =>
        System.Text.RegularExpressions.Regex.Matches(pattern, @"\{([^}]+)\}").Select(m => m.Groups[1].Value);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Function {Function} failed (invocation {InvocationId})")]
    private static partial void LogFailed(ILogger logger, string function, string invocationId, Exception exception);
}
