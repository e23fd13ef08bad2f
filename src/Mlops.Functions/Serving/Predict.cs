using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Serving;

namespace Mlops.Functions.Serving;

/// <summary><c>POST /api/models/{name}/predict</c>: predictions from the model's production version.</summary>
[Function("Predict")]
[HttpTrigger("models/{name}/predict", "post")]
[ApiOperation("Predict with the production version",
    Tag = "Serving",
    Description = PredictDocs.Description,
    RequestBody = typeof(ScoringRequest),
    Response = typeof(ScoringResponse),
    ErrorStatuses = [400, 404, 413])]
public sealed class Predict(PredictionService predictions) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var name = ResourceName.Require(request.Route("name"), "name");
        var response = await predictions.PredictAsync(name, ModelSelector.Production.ToString(), request.Body, context.CancellationToken).ConfigureAwait(false);
        return ServingResponses.Json(response);
    }
}

/// <summary>The description both predict routes share.</summary>
internal static class PredictDocs
{
    public const string Description =
        "Body: exactly one of `instances` (list of row objects), `inputs` (object of column → list, or list of row objects), " +
        "`dataframe_records` (list of row objects) or `dataframe_split` (`{\"columns\": [...], \"data\": [[...], ...]}`), optionally wrapped in " +
        "`{\"input_data\": ...}` (Azure ML). JSON integers are accepted for float columns; extra columns are ignored and listed in `warnings`.\n\n" +
        "Response: one entry of `predictions` per row — classification `{\"label\": \"rain\", \"probabilities\": {\"rain\": 0.81, ...}}`, " +
        "regression a number — plus `model` `{name, version}` and one `predictionIds` entry per row (send it back with the outcome to `/feedback`). " +
        "A missing column, a wrong type or too many rows is a 400 naming the column and the rule; a body over 16 MiB is a 413.";
}
