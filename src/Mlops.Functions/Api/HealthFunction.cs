using Mlops.Functions.Hosting;

namespace Mlops.Functions.Api;

/// <summary><c>GET /api/health</c>: the handler is up (liveness for load balancers and the demo).</summary>
[Function("Health")]
[HttpTrigger("health", "get")]
public sealed class HealthFunction : IHttpFunction
{
    /// <inheritdoc />
    public Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context) =>
        Task.FromResult(HttpResponseData.Json(new { status = "ok" }));
}
