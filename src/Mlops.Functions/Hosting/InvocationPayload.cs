using System.Text;
using System.Text.Json;

namespace Mlops.Functions.Hosting;

/// <summary>
/// Decodes the host's invocation body <c>{"Data":{...},"Metadata":{...}}</c> (spec §2.1). Every string value the host
/// puts there is JSON text inside a JSON string, so strings are decoded once more; the HTTP trigger's <c>req</c>
/// object is the exception.
/// </summary>
public sealed class InvocationPayload
{
    private InvocationPayload(JsonElement data, JsonElement metadata)
    {
        Data = data;
        Metadata = metadata;
    }

    /// <summary>The <c>Data</c> object.</summary>
    public JsonElement Data { get; }

    /// <summary>The <c>Metadata</c> object (an empty object when absent).</summary>
    public JsonElement Metadata { get; }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Parses the body; throws <see cref="FormatException"/> when it is not the host's shape.</summary>
    public static InvocationPayload Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("The invocation body must be a JSON object with Data and Metadata.");
        }

        var data = Property(body, "Data") ?? throw new FormatException("The invocation body has no Data.");
        return new InvocationPayload(data, Property(body, "Metadata") ?? EmptyObject);
    }

    /// <summary>A property of <c>Data</c>, or null.</summary>
    public JsonElement? DataValue(string name) => Property(Data, name);

    /// <summary>A string from <c>Data</c> or <c>Metadata</c>, decoded once more (the host's extra JSON quoting).</summary>
    public static string? Unquote(JsonElement? value)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            return v.GetRawText();
        }

        var text = v.GetString()!;
        try
        {
            using var inner = JsonDocument.Parse(text);
            return inner.RootElement.ValueKind == JsonValueKind.String ? inner.RootElement.GetString() : inner.RootElement.GetRawText();
        }
        catch (JsonException)
        {
            // A real host always quotes; tolerate an unquoted value rather than fail the invocation.
            return text;
        }
    }

    /// <summary>Reads a metadata value as a plain string (unquoted).</summary>
    public string? MetadataString(string name) => Unquote(Property(Metadata, name));

    /// <summary>The HTTP trigger's <c>req</c> object as a request (spec §2.2).</summary>
    public HttpRequestData ReadHttpRequest(string bindingName)
    {
        var req = DataValue(bindingName) ?? throw new FormatException($"Data has no '{bindingName}'.");
        var url = new Uri(Property(req, "Url")?.GetString() ?? throw new FormatException("req.Url is missing."));
        var method = Property(req, "Method")?.GetString() ?? "GET";
        var query = StringMap(Property(req, "Query"));
        var routeValues = StringMap(Property(req, "Params"));
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        if (Property(req, "Headers") is { ValueKind: JsonValueKind.Object } h)
        {
            foreach (var p in h.EnumerateObject())
            {
                headers[p.Name] = p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.EnumerateArray().Select(x => x.GetString() ?? "").ToArray()
                    : [p.Value.GetString() ?? ""];
            }
        }

        var body = Array.Empty<byte>();
        if (Property(req, "Body") is { ValueKind: JsonValueKind.String } b)
        {
            var mediaType = headers.TryGetValue("Content-Type", out var ct) && ct.Length > 0 ? ct[0] : "";
            // The host base64-encodes octet-stream and multipart bodies; everything else is the raw string.
            body = mediaType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) ||
                   mediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(b.GetString()!)
                : Encoding.UTF8.GetBytes(b.GetString()!);
        }
        else if (Property(req, "Body") is { ValueKind: JsonValueKind.Object or JsonValueKind.Array } jb)
        {
            body = Encoding.UTF8.GetBytes(jb.GetRawText());
        }

        return new HttpRequestData(method, url, routeValues, query, headers, body);
    }

    /// <summary>The blob trigger's value and metadata (spec §2.2, §9a).</summary>
    public BlobInvocation ReadBlob(string bindingName, IEnumerable<string> pathTokens)
    {
        var raw = DataValue(bindingName);
        var content = raw is { ValueKind: JsonValueKind.String } s ? Convert.FromBase64String(s.GetString()!) : [];
        var tokens = pathTokens.Select(t => (t, v: MetadataString(t))).Where(x => x.v is not null)
            .ToDictionary(x => x.t, x => x.v!, StringComparer.Ordinal);
        string? etag = null;
        if (Property(Metadata, "Properties") is { ValueKind: JsonValueKind.Object } props && Property(props, "ETag") is { } e)
        {
            etag = e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText();
        }

        return new BlobInvocation(content, MetadataString("Uri"), tokens, etag);
    }

    /// <summary>The timer trigger's value.</summary>
    public TimerInvocation ReadTimer(string bindingName)
    {
        var timer = DataValue(bindingName);
        var pastDue = timer is { ValueKind: JsonValueKind.Object } t && Property(t, "IsPastDue") is { ValueKind: JsonValueKind.True };
        return new TimerInvocation(pastDue);
    }

    /// <summary>Case-insensitive property lookup: the host's casing of keys is not a contract.</summary>
    internal static JsonElement? Property(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    private static Dictionary<string, string> StringMap(JsonElement? obj)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (obj is { ValueKind: JsonValueKind.Object } o)
        {
            foreach (var p in o.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return map;
    }
}
