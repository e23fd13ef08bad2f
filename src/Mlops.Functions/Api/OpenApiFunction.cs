using Mlops.Functions.Hosting;
using Mlops.Pipeline;

namespace Mlops.Functions.Api;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI document, generated from the functions' declarations.</summary>
[Function("OpenApi")]
[HttpTrigger("openapi.json", "get")]
public sealed class OpenApiFunction(FunctionCatalog catalog) : IHttpFunction
{
    private static string? _document;

    /// <inheritdoc />
    public Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        _document ??= OpenApiDocument.Build(catalog, "api", BuildInfo.CodeVersion);
        return Task.FromResult(HttpResponseData.RawJson(_document));
    }
}
