using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary><c>POST /api/models/{name}/versions/{version}/predict</c>: predictions from a pinned version.</summary>
[Function("PredictVersion")]
[HttpTrigger("models/{name}/versions/{version:int}/predict", "post")]
[ApiOperation("Predict with a pinned model version",
    Tag = "Serving",
    Description = PredictDocs.Description,
    RequestBody = typeof(ScoringRequest),
    Response = typeof(ScoringResponse),
    ErrorStatuses = [400, 404, 413])]
public sealed class PredictVersion(PredictionService predictions) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var version = request.Route("version");
        if (version.Length == 0 || !version.All(char.IsAsciiDigit))
        {
            throw Mlops.Core.Errors.MlopsException.Invalid("version", "type", "'version' must be a positive integer.");
        }

        var response = await predictions.PredictAsync(name, version, request.Body, context.CancellationToken).ConfigureAwait(false);
        return ServingResponses.Json(response);
    }
}
