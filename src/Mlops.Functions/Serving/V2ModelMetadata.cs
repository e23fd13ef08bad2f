using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary><c>GET /api/v2/models/{name}</c>: Open Inference Protocol model metadata of the production version.</summary>
[Function("V2ModelMetadata")]
[HttpTrigger("v2/models/{name}", "get")]
[ApiOperation("Open Inference Protocol: model metadata",
    Tag = "Serving",
    Description = "Name, versions that can serve, platform `onnxruntime_onnx`, and the production version's input and output tensors.",
    Response = typeof(ModelMetadataResponse),
    ErrorStatuses = [400, 404])]
public sealed class V2ModelMetadata(OpenInferenceService inference) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var metadata = await inference.GetMetadataAsync(name, context.CancellationToken).ConfigureAwait(false);
        return ServingResponses.Json(metadata);
    }
}
