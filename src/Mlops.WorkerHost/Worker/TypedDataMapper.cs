using System.Globalization;
using System.Text;
using Google.Protobuf;
using Mlops.WorkerHost.Invocation;
using Mlops.WorkerHost.Rpc;

namespace Mlops.WorkerHost.Worker;

/// <summary>Maps host binding values to and from the protocol's TypedData (spec §4.6); the only place that knows both.</summary>
internal static class TypedDataMapper
{
    public static TypedData ToTypedData(BindingValue? value) => value switch
    {
        null => new TypedData(),
        BindingValue.Text t => new TypedData { String = t.Value },
        BindingValue.Json j => new TypedData { Json = j.Value },
        BindingValue.Binary b => new TypedData { Bytes = ByteString.CopyFrom(b.Value) },
        BindingValue.TextList l => new TypedData { CollectionString = new CollectionString { String = { l.Values } } },
        BindingValue.Model m => new TypedData
        {
            ModelBindingData = new ModelBindingData
            {
                Version = "1.0",
                Source = m.Source,
                ContentType = "application/json",
                Content = ByteString.CopyFromUtf8(m.ContentJson),
            },
        },
        BindingValue.HttpRequest h => new TypedData { Http = ToRpcHttp(h.Request) },
        _ => throw new NotSupportedException($"{value.GetType().Name} is not sent to the worker."),
    };

    public static BindingValue? FromTypedData(TypedData? data) => data?.DataCase switch
    {
        null or TypedData.DataOneofCase.None => null,
        TypedData.DataOneofCase.String => new BindingValue.Text(data.String),
        TypedData.DataOneofCase.Json => new BindingValue.Json(data.Json),
        TypedData.DataOneofCase.Bytes => new BindingValue.Binary(data.Bytes.ToByteArray()),
        TypedData.DataOneofCase.Stream => new BindingValue.Binary(data.Stream.ToByteArray()),
        TypedData.DataOneofCase.Int => new BindingValue.Json(data.Int.ToString(CultureInfo.InvariantCulture)),
        TypedData.DataOneofCase.Double => new BindingValue.Json(data.Double.ToString("R", CultureInfo.InvariantCulture)),
        TypedData.DataOneofCase.CollectionString => new BindingValue.TextList(data.CollectionString.String.ToList()),
        TypedData.DataOneofCase.CollectionBytes => new BindingValue.TextList(data.CollectionBytes.Bytes.Select(b => b.ToStringUtf8()).ToList()),
        TypedData.DataOneofCase.CollectionSint64 => new BindingValue.TextList(data.CollectionSint64.Sint64.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList()),
        TypedData.DataOneofCase.CollectionDouble => new BindingValue.TextList(data.CollectionDouble.Double.Select(n => n.ToString("R", CultureInfo.InvariantCulture)).ToList()),
        TypedData.DataOneofCase.Http => FromRpcHttp(data.Http),
        _ => null,
    };

    private static RpcHttp ToRpcHttp(HttpRequestData? request)
    {
        if (request is null)
        {
            // Proxy path: the worker reads the real request from its own Kestrel; the RpcHttp stays empty (spec §8.4).
            return new RpcHttp();
        }

        var http = new RpcHttp { Method = request.Method, Url = request.Url };
        foreach (var (k, v) in request.Headers)
        {
            http.NullableHeaders[k.ToLowerInvariant()] = new NullableString { Value = v };
        }

        foreach (var (k, v) in request.Query)
        {
            http.NullableQuery[k] = new NullableString { Value = v };
        }

        foreach (var (k, v) in request.RouteValues)
        {
            http.NullableParams[k] = new NullableString { Value = v };
        }

        if (request.Body is { Length: > 0 } body)
        {
            // The worker reports RawHttpBodyBytes and RpcHttpBodyOnly: body as bytes, rawBody unset.
            http.Body = new TypedData { Bytes = ByteString.CopyFrom(body) };
        }

        return http;
    }

    private static BindingValue.HttpResponse FromRpcHttp(RpcHttp http)
    {
        var status = int.TryParse(http.StatusCode, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 200;
        var body = http.Body?.DataCase switch
        {
            TypedData.DataOneofCase.Bytes => http.Body.Bytes.ToByteArray(),
            TypedData.DataOneofCase.Stream => http.Body.Stream.ToByteArray(),
            TypedData.DataOneofCase.String => Encoding.UTF8.GetBytes(http.Body.String),
            TypedData.DataOneofCase.Json => Encoding.UTF8.GetBytes(http.Body.Json),
            _ => [],
        };
        return new BindingValue.HttpResponse(status, http.Headers.ToDictionary(kv => kv.Key, kv => kv.Value), body);
    }
}
