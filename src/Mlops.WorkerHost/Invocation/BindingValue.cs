namespace Mlops.WorkerHost.Invocation;

/// <summary>A value going to or coming from a binding, in host terms (the worker channel maps it to and from TypedData).</summary>
internal abstract record BindingValue
{
    /// <summary>Plain text (TypedData.string).</summary>
    public sealed record Text(string Value) : BindingValue;

    /// <summary>JSON text; also how numbers and dates travel, never as int/double (spec §8.5).</summary>
    public sealed record Json(string Value) : BindingValue;

    /// <summary>Raw bytes.</summary>
    public sealed record Binary(byte[] Value) : BindingValue;

    /// <summary>A list of strings (e.g. queue output of string[]).</summary>
    public sealed record TextList(IReadOnlyList<string> Values) : BindingValue;

    /// <summary>SDK-type binding data (<c>BlobClient</c>, <c>QueueMessage</c>): the worker opens the resource itself.</summary>
    public sealed record Model(string Source, string ContentJson) : BindingValue;

    /// <summary>An HTTP request for the classic RpcHttp path; <see cref="Request"/> null = the empty RpcHttp of the proxy path.</summary>
    public sealed record HttpRequest(HttpRequestData? Request) : BindingValue;

    /// <summary>An HTTP response written by the worker on the classic path.</summary>
    public sealed record HttpResponse(int StatusCode, IReadOnlyDictionary<string, string> Headers, byte[] Body) : BindingValue;

    /// <summary>The value as text when it has one (text, JSON, UTF-8 bytes), for bindings that write text.</summary>
    public string? AsText() => this switch
    {
        Text t => t.Value,
        Json j => j.Value,
        Binary b => System.Text.Encoding.UTF8.GetString(b.Value),
        _ => null,
    };
}

/// <summary>What the classic RpcHttp path sends for a request.</summary>
internal sealed record HttpRequestData(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> RouteValues,
    byte[]? Body);
