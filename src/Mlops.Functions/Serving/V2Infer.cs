using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary><c>POST /api/v2/models/{name}/infer</c>: Open Inference Protocol (KServe V2) inference on the production version.</summary>
[Function("V2Infer")]
[HttpTrigger("v2/models/{name}/infer", "post")]
[ApiOperation("Open Inference Protocol: infer with the production version",
    Tag = "Serving",
    Description = "KServe V2 REST. One input tensor per column (`{\"name\", \"shape\": [n] or [n, 1], \"datatype\": \"FP32\"|\"BYTES\"|..., \"data\": [...]}`). " +
                  "Outputs: classification `label` (BYTES, [n]) and `probabilities` (FP32, [n, k], row-major; class order in `parameters.labels`); " +
                  "regression `value` (FP32, [n]). `parameters.prediction_ids` has one id per row.",
    RequestBody = typeof(InferRequest),
    Response = typeof(InferResponse),
    ErrorStatuses = [400, 404, 413])]
public sealed class V2Infer(OpenInferenceService inference) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var response = await inference.InferAsync(name, request.Body, context.CancellationToken).ConfigureAwait(false);
        return ServingResponses.Json(response);
    }
}
