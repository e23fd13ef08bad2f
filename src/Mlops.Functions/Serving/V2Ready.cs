using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary><c>GET /api/v2/health/ready</c>: Open Inference Protocol readiness.</summary>
[Function("V2Ready")]
[HttpTrigger("v2/health/ready", "get", AuthLevel = AuthLevel.Anonymous)]
[ApiOperation("Open Inference Protocol: server readiness",
    Tag = "Serving",
    Response = typeof(ReadyResponse),
    ErrorStatuses = [])]
public sealed class V2Ready : IHttpFunction
{
    /// <inheritdoc />
    public Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context) =>
        Task.FromResult(ServingResponses.Json(OpenInferenceService.Ready()));
}
