using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Http;

/// <summary>The trigger metadata of an HTTP invocation (spec §5.1 A.3): route values, query values, Query, Headers.</summary>
internal static class HttpTriggerMetadata
{
    public static Dictionary<string, BindingValue> From(HttpRequest request)
    {
        var metadata = new Dictionary<string, BindingValue>(StringComparer.OrdinalIgnoreCase);
        var query = new Dictionary<string, string>();
        foreach (var (key, value) in request.Query)
        {
            // `code` is a key, not data (the real host skips it).
            if (!key.Equals("code", StringComparison.OrdinalIgnoreCase))
            {
                query[key] = value.ToString();
                metadata[key] = new BindingValue.Text(value.ToString());
            }
        }

        foreach (var (key, value) in request.RouteValues)
        {
            if (value is not null)
            {
                metadata[key] = new BindingValue.Text(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }
        }

        metadata["Query"] = new BindingValue.Json(JsonSerializer.Serialize(query));
        metadata["Headers"] = new BindingValue.Json(JsonSerializer.Serialize(request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())));
        return metadata;
    }
}
