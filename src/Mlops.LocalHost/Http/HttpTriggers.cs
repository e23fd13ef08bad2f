using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Triggers;

namespace Mlops.LocalHost.Http;

/// <summary>
/// HTTP-triggered functions (spec §1.4, §2.2, §2.4): routes under the route prefix, methods, auth levels, and either
/// forwarding of the raw request (plain HTTP in/out functions with <c>enableForwardingHttpRequest</c>) or the JSON payload.
/// </summary>
internal sealed class HttpTriggers(ScriptRoot root, FunctionRunner runner, HandlerProcess handler, KeyStore keys, bool enforceKeys, HostConsole console)
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Host",
    };

    public static string Route(ScriptRoot root, FunctionDefinition f)
    {
        var route = f.Trigger!.Get("route") is { Length: > 0 } r ? r.Trim('/') : f.Name;
        return root.RoutePrefix.Length == 0 ? "/" + route : $"/{root.RoutePrefix}/{route}";
    }

    public static IReadOnlyList<string>? Methods(FunctionDefinition f) =>
        f.Trigger!.Node("methods") is JsonArray a && a.Count > 0 ? a.Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() : null;

    public void Map(IEndpointRouteBuilder app)
    {
        foreach (var f in root.Functions.Where(f => !f.Disabled && f.HasTrigger("httpTrigger")))
        {
            var pattern = Route(root, f);
            var methods = Methods(f);
            var forwarded = Forwarded(f);
            RequestDelegate handle = http => HandleAsync(http, f, forwarded);
            if (methods is null)
            {
                app.Map(pattern, handle);
            }
            else
            {
                app.MapMethods(pattern, methods, handle);
            }
        }
    }

    private bool Forwarded(FunctionDefinition f) =>
        root.EnableForwardingHttpRequest &&
        f.Bindings.Count(b => b.IsIn) == 1 && f.Bindings.Count(b => b.IsOut) == 1 &&
        f.Bindings.Single(b => b.IsOut).IsType("http");

    private async Task HandleAsync(HttpContext http, FunctionDefinition f, bool forwarded)
    {
        var authLevel = f.Trigger!.Get("authLevel") ?? "function";
        if (enforceKeys)
        {
            var key = http.Request.Headers["x-functions-key"].FirstOrDefault() ?? http.Request.Query["code"].FirstOrDefault();
            if (!keys.Authorizes(authLevel, f.Name, key))
            {
                http.Response.StatusCode = 401;
                return;
            }
        }

        try
        {
            if (forwarded)
            {
                await ForwardAsync(http, f).ConfigureAwait(false);
            }
            else
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
                await InvokeAsync(http, f, buffer.ToArray()).ConfigureAwait(false);
            }
        }
        catch (HandlerUnavailableException)
        {
            if (!http.Response.HasStarted)
            {
                http.Response.StatusCode = 500;
            }
        }
    }

    /// <summary>
    /// Rebuilds the request and sends it to the handler at the same path (spec §2.4); its raw response is the answer.
    /// The body is streamed through in both directions (no copy of it is held), over the invoker's pooled connections.
    /// </summary>
    private async Task ForwardAsync(HttpContext http, FunctionDefinition f)
    {
        var aborted = http.RequestAborted;
        await handler.WaitReadyAsync(aborted).ConfigureAwait(false);
        var id = Guid.NewGuid();
        var incoming = http.Request;
        var target = new Uri(handler.BaseUri, string.Concat(incoming.Path.Value, incoming.QueryString.Value));
        using var request = new HttpRequestMessage(HttpMethod.Parse(incoming.Method), target);
        if (HasBody(incoming))
        {
            // Content-Length, when the caller sent one, is copied below with the other content headers.
            request.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            var added = values.Count == 1
                ? request.Headers.TryAddWithoutValidation(name, values[0])
                : request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            if (!added && request.Content is not null)
            {
                _ = values.Count == 1
                    ? request.Content.Headers.TryAddWithoutValidation(name, values[0])
                    : request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.Remove("User-Agent");
        HandlerInvoker.AddHostHeaders(request, id);
        console.Executing(f.Name, ForwardedReason, id);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await runner.Invoker.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, aborted).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            console.Executed(f.Name, false, id, System.Diagnostics.Stopwatch.GetElapsedTime(started), ex.Message);
            throw new HandlerUnavailableException("forwarding failed", ex);
        }

        using (response)
        {
            http.Response.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers.NonValidated, http.Response.Headers);
            CopyHeaders(response.Content.Headers.NonValidated, http.Response.Headers);
            await response.Content.CopyToAsync(http.Response.Body, aborted).ConfigureAwait(false);
            console.Executed(f.Name, response.IsSuccessStatusCode, id, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }

    private const string ForwardedReason = "This function was programmatically called via the host APIs.";

    /// <summary>Whether the incoming request carries a body to forward (a length above zero, or chunked).</summary>
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static void CopyHeaders(HttpHeadersNonValidated from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to[name] = values.Count == 1 ? new Microsoft.Extensions.Primitives.StringValues(values.ToString()) : new Microsoft.Extensions.Primitives.StringValues([.. values]);
            }
        }
    }

    private async Task InvokeAsync(HttpContext http, FunctionDefinition f, byte[] body)
    {
        var (data, metadata, bindingData) = BuildPayload(http, f, body);
        var result = await runner.RunAsync(f, data, metadata, bindingData,
            "This function was programmatically called via the host APIs.", http.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            http.Response.StatusCode = 500;
            return;
        }

        var output = f.Outputs.FirstOrDefault(b => b.IsType("http"));
        var res = output is null ? null : output.Name == "$return" ? result.ReturnValue : result.Output(output.Name);
        await WriteResponseAsync(http, res).ConfigureAwait(false);
    }

    /// <summary>The request object of spec §2.2 (not extra-encoded) plus the metadata of query, route values and JSON body.</summary>
    internal static (JsonObject Data, JsonObject Metadata, Dictionary<string, string> BindingData) BuildPayload(HttpContext http, FunctionDefinition f, byte[] body)
    {
        var query = new JsonObject();
        foreach (var (k, v) in http.Request.Query)
        {
            query[k] = v.ToString();
        }

        var headers = new JsonObject();
        foreach (var (k, v) in http.Request.Headers)
        {
            headers[k] = new JsonArray(v.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray());
        }

        var routeValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in http.Request.RouteValues)
        {
            if (v is not null)
            {
                routeValues[k] = Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
        }

        var req = new JsonObject
        {
            ["Url"] = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}{http.Request.QueryString}",
            ["Method"] = http.Request.Method,
            ["Query"] = query.DeepClone(),
            ["Headers"] = headers.DeepClone(),
        };
        if (routeValues.Count > 0)
        {
            req["Params"] = new JsonObject(routeValues.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }

        req["Identities"] = new JsonArray();
        string? bodyText = null;
        if (body.Length > 0)
        {
            var mediaType = MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mt) ? mt.MediaType ?? "" : "";
            var binary = mediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
            bodyText = binary ? null : Encoding.UTF8.GetString(body);
            req["Body"] = binary ? Convert.ToBase64String(body) : bodyText;
        }

        var metadata = new JsonObject { ["Query"] = query, ["Headers"] = headers };
        var bindingData = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in http.Request.Query)
        {
            if (!k.Equals("code", StringComparison.OrdinalIgnoreCase))
            {
                metadata[k] = PayloadEncoding.EncodeString(v.ToString());
                bindingData[k] = v.ToString();
            }
        }

        foreach (var (k, v) in routeValues)
        {
            metadata[k] = PayloadEncoding.EncodeString(v);
            bindingData[k] = v;
        }

        PayloadEncoding.ApplyObjectProperties(bodyText, metadata);
        var data = new JsonObject { [f.Trigger!.Name] = req };
        return (data, metadata, bindingData);
    }

    /// <summary>Turns <c>Outputs.res</c> into the HTTP response (spec §2.3): statusCode/status, body, headers; text/plain by default.</summary>
    internal static async Task WriteResponseAsync(HttpContext http, JsonNode? res)
    {
        if (res is JsonValue sv && sv.TryGetValue(out string? text))
        {
            try
            {
                res = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                res = null;
            }
        }

        if (res is not JsonObject o)
        {
            http.Response.StatusCode = 200;
            return;
        }

        JsonNode? Get(string name) => o.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        var statusNode = Get("statusCode") ?? Get("status");
        var status = 200;
        if (statusNode is JsonValue s)
        {
            if (!s.TryGetValue(out status) && !(s.TryGetValue(out string? st) && int.TryParse(st, out status)))
            {
                status = 200;
            }
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain";
        if (Get("headers") is JsonObject hs)
        {
            foreach (var (k, v) in hs)
            {
                var value = v is JsonValue hv && hv.TryGetValue(out string? h) ? h : v?.ToJsonString() ?? "";
                if (k.Equals("content-type", StringComparison.OrdinalIgnoreCase))
                {
                    http.Response.ContentType = value;
                }
                else
                {
                    http.Response.Headers[k] = value;
                }
            }
        }

        var bodyNode = Get("body");
        if (bodyNode is not null)
        {
            var bodyText = bodyNode is JsonValue bv && bv.TryGetValue(out string? b) ? b : bodyNode.ToJsonString();
            await http.Response.WriteAsync(bodyText, http.RequestAborted).ConfigureAwait(false);
        }
    }
}
