using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Mlops.FunctionApp.Hosting;

/// <summary>
/// The HTTP API's JSON settings: camelCase, nulls omitted. Only for request and response bodies; stored documents use
/// <see cref="Catalog.CatalogJson"/>, so a change here never changes stored data.
/// </summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Explicit so the OpenAPI schema exporter can use these options before anything was serialised.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>A JSON response with the API's settings.</summary>
    public static JsonResult Result(object value, int status = 200) =>
        new(value, Options) { StatusCode = status, ContentType = "application/json; charset=utf-8" };

    /// <summary>A JSON response with the serving settings (a NaN score stays JSON-writable).</summary>
    public static JsonResult Serving(object value) =>
        new(value, Mlops.Serving.ServingJson.Options) { StatusCode = 200, ContentType = "application/json; charset=utf-8" };
}
