using Microsoft.AspNetCore.Http;
using Mlops.WorkerHost.Bindings;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Http;

/// <summary>
/// Serves one HTTP request for an httpTrigger function: key check (only with --enable-auth), then either the proxy path
/// (worker announced HttpUri) or the classic RpcHttp path; other output bindings (queue, blob) are written afterwards.
/// </summary>
internal sealed class HttpFunctionHandler(InvocationDispatcher dispatcher, WorkerHttpForwarder forwarder, InputBinder inputBinder, OutputBinder outputs, KeyStore? keys)
{
    public async Task HandleAsync(HttpContext context, FunctionDefinition function)
    {
        var trigger = function.Trigger!;
        if (keys is not null && !keys.Authorizes(trigger.Get("authLevel") ?? "function", function.Name, RequestKey(context.Request)))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        var metadata = HttpTriggerMetadata.From(context.Request);
        var proxied = false;

        // The proxy path starts forwarding right before the InvocationRequest goes out (both sides wait for the other).
        Task? Companion(Uri? httpUri)
        {
            if (httpUri is null)
            {
                return null;
            }

            proxied = true;
            return forwarder.ForwardAsync(context, httpUri, invocationId);
        }

        BindingValue.HttpRequest input;
        if (await dispatcher.CurrentHttpUriAsync(context.RequestAborted).ConfigureAwait(false) is null)
        {
            var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
            input = new BindingValue.HttpRequest(new HttpRequestData(
                context.Request.Method,
                $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.Request.RouteValues.Where(r => r.Value is not null).ToDictionary(r => r.Key, r => Convert.ToString(r.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
                body));
        }
        else
        {
            input = new BindingValue.HttpRequest(null);
        }

        var inputs = new List<KeyValuePair<string, BindingValue?>> { new(trigger.Name, input) };
        inputs.AddRange(inputBinder.ExtraInputs(function, new Uri($"{context.Request.Scheme}://{context.Request.Host}/")));
        InvocationResult result;
        try
        {
            result = await dispatcher.InvokeAsync(
                new FunctionInvocation(function, invocationId, inputs, metadata), "This function was programmatically called via the host APIs.", context.RequestAborted, Companion).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }

            return;
        }

        if (result.Succeeded)
        {
            await outputs.WriteAsync(function, result, metadata, context.RequestAborted).ConfigureAwait(false);
        }

        if (proxied)
        {
            // The worker wrote the response on the proxied connection; the host adds nothing (spec §8.20).
            return;
        }

        if (!result.Succeeded)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        var httpOut = function.Outputs.FirstOrDefault(b => b.IsType("http"));
        var response = httpOut is null ? null : httpOut.Name == "$return" ? result.ReturnValue : result.Outputs.GetValueOrDefault(httpOut.Name);
        if (response is BindingValue.HttpResponse r)
        {
            context.Response.StatusCode = r.StatusCode;
            foreach (var (k, v) in r.Headers)
            {
                context.Response.Headers[k] = v;
            }

            await context.Response.Body.WriteAsync(r.Body, context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
    }

    public static string? RequestKey(HttpRequest request) =>
        request.Headers["x-functions-key"].FirstOrDefault() is { Length: > 0 } header ? header : request.Query["code"].FirstOrDefault();

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
