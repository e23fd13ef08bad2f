using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.LocalHost.Handler;

/// <summary>The handler's answer to one invocation (spec §2.3).</summary>
internal sealed class InvocationResult
{
    public required Guid InvocationId { get; init; }

    public required bool Succeeded { get; init; }

    public int StatusCode { get; init; }

    public JsonObject Outputs { get; init; } = [];

    /// <summary>The <c>ReturnValue</c> token; null when absent or JSON null.</summary>
    public JsonNode? ReturnValue { get; init; }

    public bool HasReturnValue { get; init; }

    public string? Error { get; init; }

    public TimeSpan Duration { get; init; }

    public JsonNode? Output(string name)
    {
        foreach (var (k, v) in Outputs)
        {
            if (k.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }
}

/// <summary>The handler could not be reached (it died or restarts): the caller retries later, the invocation did not happen.</summary>
internal sealed class HandlerUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>Sends invocations to the handler (spec §2.1) and reads its answers (§2.3), logging each like func start.</summary>
internal sealed class HandlerInvoker : IDisposable
{
    private const string HostVersion = "4.1040.0.0";
    private readonly HandlerProcess _process;
    private readonly HostConsole _console;
    private readonly HttpClient _http;

    public HandlerInvoker(HandlerProcess process, HostConsole console, TimeSpan timeout)
    {
        _process = process;
        _console = console;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false, // the handler is on loopback: never route it through HTTP_PROXY
            MaxConnectionsPerServer = 256,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        { Timeout = timeout };
    }

    public HttpClient Http => _http;

    public static void AddHostHeaders(HttpRequestMessage request, Guid invocationId)
    {
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", HostVersion);
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", invocationId.ToString());
        request.Headers.TryAddWithoutValidation("User-Agent", "Azure-Functions-Host/" + HostVersion);
    }

    /// <summary>POSTs <c>{"Data","Metadata"}</c> to <c>/{function}</c>. Throws <see cref="HandlerUnavailableException"/> when the handler is not reachable.</summary>
    public async Task<InvocationResult> InvokeAsync(string function, JsonObject data, JsonObject metadata, string reason, CancellationToken cancellationToken, Guid? invocationId = null)
    {
        var id = invocationId ?? Guid.NewGuid();
        await _process.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_process.BaseUri, function))
        {
            Content = new StringContent(payload.ToJsonString(PayloadEncoding.Relaxed), new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }),
        };
        AddHostHeaders(request, id);

        _console.Executing(function, reason, id);
        var clock = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            _console.Executed(function, false, id, clock.Elapsed, "the handler is not reachable: " + ex.Message);
            throw new HandlerUnavailableException($"handler unreachable while invoking {function}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _console.Executed(function, false, id, clock.Elapsed, "timed out");
            throw new HandlerUnavailableException($"invocation of {function} timed out", ex);
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                _console.Executed(function, false, id, clock.Elapsed, "the handler dropped the connection: " + ex.Message);
                throw new HandlerUnavailableException($"handler dropped the response of {function}", ex);
            }

            var result = Parse(id, response, body, clock.Elapsed, function);
            _console.Executed(function, result.Succeeded, id, result.Duration, result.Error);
            return result;
        }
    }

    private InvocationResult Parse(Guid id, HttpResponseMessage response, string body, TimeSpan duration, string function)
    {
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            return new InvocationResult
            {
                InvocationId = id,
                Succeeded = false,
                StatusCode = status,
                Duration = duration,
                Error = $"Response status code does not indicate success: {status} ({ReasonPhrase(response.StatusCode)}).",
            };
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            // The real host reads the body with JSON formatters only (spec §9a): anything else fails the invocation.
            return new InvocationResult
            {
                InvocationId = id,
                Succeeded = false,
                StatusCode = status,
                Duration = duration,
                Error = $"The handler answered with Content-Type '{mediaType ?? "(none)"}'; a JSON response is required.",
            };
        }

        JsonObject? root;
        try
        {
            root = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException ex)
        {
            return new InvocationResult { InvocationId = id, Succeeded = false, StatusCode = status, Duration = duration, Error = "The handler's JSON response could not be parsed: " + ex.Message };
        }

        if (root is null)
        {
            return new InvocationResult { InvocationId = id, Succeeded = false, StatusCode = status, Duration = duration, Error = "The handler answered with an empty or null body." };
        }

        JsonObject outputs = [];
        JsonNode? returnValue = null;
        var hasReturn = false;
        foreach (var (key, value) in root)
        {
            if (key.Equals("Outputs", StringComparison.OrdinalIgnoreCase) && value is JsonObject o)
            {
                outputs = (JsonObject)o.DeepClone();
            }
            else if (key.Equals("Logs", StringComparison.OrdinalIgnoreCase) && value is JsonArray logs)
            {
                foreach (var log in logs)
                {
                    _console.Line($"{function}: {(log is JsonValue lv && lv.TryGetValue(out string? s) ? s : log?.ToJsonString())}");
                }
            }
            else if (key.Equals("ReturnValue", StringComparison.OrdinalIgnoreCase))
            {
                hasReturn = true;
                returnValue = value?.DeepClone();
            }
        }

        return new InvocationResult
        {
            InvocationId = id,
            Succeeded = true,
            StatusCode = status,
            Duration = duration,
            Outputs = outputs,
            ReturnValue = returnValue,
            HasReturnValue = hasReturn,
        };
    }

    public static string ReasonPhrase(HttpStatusCode code) => code switch
    {
        HttpStatusCode.InternalServerError => "Internal Server Error",
        HttpStatusCode.BadRequest => "Bad Request",
        HttpStatusCode.NotFound => "Not Found",
        HttpStatusCode.ServiceUnavailable => "Service Unavailable",
        HttpStatusCode.BadGateway => "Bad Gateway",
        _ => System.Text.RegularExpressions.Regex.Replace(code.ToString(), "(?<=[a-z])(?=[A-Z])", " "),
    };

    public void Dispose() => _http.Dispose();

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
