using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.Serving;

namespace Mlops.FunctionApp.Serving;

/// <summary>Serving: the MLflow scoring shapes and the Open Inference Protocol (KServe V2), over ONNX Runtime.</summary>
public sealed class ServingFunctions(PredictionService predictions, OpenInferenceService inference, ServingOptions options)
{
    private const string PredictDescription =
        "Body: exactly one of `instances` (list of row objects), `inputs` (object of column → list, or list of row objects), " +
        "`dataframe_records` (list of row objects) or `dataframe_split` (`{\"columns\": [...], \"data\": [[...], ...]}`), optionally wrapped in " +
        "`{\"input_data\": ...}` (Azure ML). JSON integers are accepted for float columns; extra columns are ignored and listed in `warnings`.\n\n" +
        "Response: one entry of `predictions` per row — classification `{\"label\": \"rain\", \"probabilities\": {\"rain\": 0.81, ...}}`, " +
        "regression a number — plus `model` `{name, version}` and one `predictionIds` entry per row (send it back with the outcome to `/feedback`). " +
        "A missing column, a wrong type or too many rows is a 400 naming the column and the rule; a body over 16 MiB is a 413.";

    /// <summary><c>POST /api/models/{name}/predict</c>: predictions from the production version.</summary>
    [Function("Predict")]
    [ApiOperation("Predict with the production version", Tag = "Serving", Description = PredictDescription,
        RequestBody = typeof(ScoringRequest), Response = typeof(ScoringResponse), ErrorStatuses = [400, 404, 413])]
    public async Task<IActionResult> Predict(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{name}/predict")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        var body = await RequestBody.ReadBytesAsync(request, options.MaxBodyBytes, context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Serving(await predictions.PredictAsync(name, ModelRegistry.ProductionAlias, body, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /api/models/{name}/versions/{version}/predict</c>: predictions from a pinned version.</summary>
    [Function("PredictVersion")]
    [ApiOperation("Predict with a pinned model version", Tag = "Serving", Description = PredictDescription,
        RequestBody = typeof(ScoringRequest), Response = typeof(ScoringResponse), ErrorStatuses = [400, 404, 413])]
    public async Task<IActionResult> PredictVersion(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "models/{name}/versions/{version:int}/predict")] HttpRequest request, string name,
        string version, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        if (version.Length == 0 || !version.All(char.IsAsciiDigit))
        {
            throw MlopsException.Invalid("version", "type", "'version' must be a positive integer.");
        }

        var body = await RequestBody.ReadBytesAsync(request, options.MaxBodyBytes, context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Serving(await predictions.PredictAsync(name, version, body, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /api/v2/models/{name}/infer</c>: Open Inference Protocol inference on the production version.</summary>
    [Function("V2Infer")]
    [ApiOperation("Open Inference Protocol: infer with the production version", Tag = "Serving",
        Description = "KServe V2 REST. One input tensor per column (`{\"name\", \"shape\": [n] or [n, 1], \"datatype\": \"FP32\"|\"BYTES\"|..., \"data\": [...]}`). " +
                      "Outputs: classification `label` (BYTES, [n]) and `probabilities` (FP32, [n, k], row-major; class order in `parameters.labels`); " +
                      "regression `value` (FP32, [n]). `parameters.prediction_ids` has one id per row.",
        RequestBody = typeof(InferRequest), Response = typeof(InferResponse), ErrorStatuses = [400, 404, 413])]
    public async Task<IActionResult> V2Infer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v2/models/{name}/infer")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        var body = await RequestBody.ReadBytesAsync(request, options.MaxBodyBytes, context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Serving(await inference.InferAsync(name, body, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/v2/models/{name}</c>: Open Inference Protocol model metadata of the production version.</summary>
    [Function("V2ModelMetadata")]
    [ApiOperation("Open Inference Protocol: model metadata", Tag = "Serving",
        Description = "Name, versions that can serve, platform `onnxruntime_onnx`, and the production version's input and output tensors.",
        Response = typeof(ModelMetadataResponse), ErrorStatuses = [400, 404])]
    public async Task<IActionResult> V2ModelMetadata(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/models/{name}")] HttpRequest request, string name, FunctionContext context)
    {
        ResourceName.Require(name, "name");
        return ApiJson.Serving(await inference.GetMetadataAsync(name, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/v2/health/ready</c>: Open Inference Protocol readiness.</summary>
    [Function("V2Ready")]
    [ApiOperation("Open Inference Protocol: server readiness", Tag = "Serving", Response = typeof(ReadyResponse), ErrorStatuses = [])]
    public static IActionResult V2Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v2/health/ready")] HttpRequest request) =>
        ApiJson.Serving(OpenInferenceService.Ready());
}
