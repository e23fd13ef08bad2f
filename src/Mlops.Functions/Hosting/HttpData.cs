using System.Text;
using System.Text.Json;

namespace Mlops.Functions.Hosting;

/// <summary>
/// An HTTP request as a function sees it, whether the host forwarded the raw request or sent the JSON
/// invocation payload (spec §2.2, §2.4): functions are written once against this.
/// </summary>
public sealed class HttpRequestData
{
    /// <summary>Creates a request.</summary>
    public HttpRequestData(string method, Uri url, IReadOnlyDictionary<string, string> routeValues,
        IReadOnlyDictionary<string, string> query, IReadOnlyDictionary<string, string[]> headers, byte[] body)
    {
        Method = method.ToUpperInvariant();
        Url = url;
        RouteValues = routeValues;
        Query = query;
        // Reuse a case-insensitive map as it is; copy anything else once.
        Headers = headers is Dictionary<string, string[]> { Comparer: var comparer } d && comparer.Equals(StringComparer.OrdinalIgnoreCase)
            ? d
            : new Dictionary<string, string[]>(headers, StringComparer.OrdinalIgnoreCase);
        Body = body;
    }

    /// <summary>Upper-case method.</summary>
    public string Method { get; }

    /// <summary>The full URL the client called.</summary>
    public Uri Url { get; }

    /// <summary>Route parameters by name.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>Query parameters (first value of each).</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>Headers, case-insensitive.</summary>
    public IReadOnlyDictionary<string, string[]> Headers { get; }

    /// <summary>The raw body; empty when none.</summary>
    public byte[] Body { get; }

    /// <summary>The media type of the body without parameters, lower case, or empty.</summary>
    public string MediaType =>
        Headers.TryGetValue("Content-Type", out var v) && v.Length > 0
            ? v[0].Split(';')[0].Trim().ToLowerInvariant()
            : "";

    /// <summary>The scheme and authority the client used, e.g. <c>http://localhost:7071</c>.</summary>
    public string BaseUrl => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>A route value; throws when the route has no such parameter (a bug in the function's route).</summary>
    public string Route(string name) =>
        RouteValues.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"Route has no parameter '{name}'.");

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>An HTTP response a function returns.</summary>
public sealed class HttpResponseData
{
    /// <summary>Creates a response.</summary>
    public HttpResponseData(int statusCode, byte[]? body = null, string? contentType = null)
    {
        StatusCode = statusCode;
        Body = body ?? [];
        if (contentType is not null)
        {
            Headers["Content-Type"] = contentType;
        }
    }

    /// <summary>Status code.</summary>
    public int StatusCode { get; }

    /// <summary>Headers (single-valued).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Body bytes.</summary>
    public byte[] Body { get; }

    /// <summary>A JSON response (camelCase, web defaults).</summary>
    public static HttpResponseData Json<T>(T value, int statusCode = 200) =>
        new(statusCode, JsonSerializer.SerializeToUtf8Bytes(value, FunctionJson.Options), "application/json; charset=utf-8");

    /// <summary>A JSON response from already-serialised JSON text.</summary>
    public static HttpResponseData RawJson(string json, int statusCode = 200) =>
        new(statusCode, Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8");

    /// <summary>Adds a header and returns this response.</summary>
    public HttpResponseData WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}

/// <summary>JSON settings for everything the app writes to clients (part of the API contract).</summary>
public static class FunctionJson
{
    /// <summary>camelCase, enums as their declared names, nulls omitted.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Explicit so the OpenAPI schema exporter can use these options before anything was serialised.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };
}
