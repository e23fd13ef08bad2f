using System.Text.Json;
using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary>Serving responses use the serving JSON settings (camelCase like the rest of the API; a NaN score stays JSON-writable).</summary>
internal static class ServingResponses
{
    public static HttpResponseData Json<T>(T value) =>
        new(200, JsonSerializer.SerializeToUtf8Bytes(value, ServingJson.Options), "application/json; charset=utf-8");
}
