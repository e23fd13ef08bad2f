using Mlops.Catalog;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Functions.Pipeline;
using Mlops.Pipeline;
using Mlops.Pipeline.Ingestion;

namespace Mlops.Functions.Api;

/// <summary>
/// <c>POST /api/projects/{project}/datasets</c>: upload CSV (<c>text/csv</c>), JSON rows (<c>application/json</c>),
/// JSON Lines or Parquet. The same path as a blob upload to <c>incoming/{project}/{file}</c>.
/// </summary>
[Function("UploadDataset")]
[HttpTrigger("projects/{project}/datasets", "post")]
[DurableClient]
[ApiOperation("Upload a dataset version; a new accepted version starts the training pipeline", Tag = "Datasets",
    RequestMediaTypes = ["text/csv", "application/json", "application/x-ndjson", "application/vnd.apache.parquet"], Response = typeof(UploadResponse),
    SuccessStatus = 202, ErrorStatuses = [400, 404, 413, 422],
    Description = "202 with the dataset version and the pipeline's check-status URLs; 200 when the identical data was uploaded before " +
                  "(the existing version, no new run); 422 with the validation report when the data is rejected (it is kept in quarantine).")]
public sealed class UploadDatasetFunction(DatasetIntake intake, PipelineLauncher launcher) : IHttpFunction
{
    /// <summary>Largest accepted body; bigger files go through blob upload to <c>incoming/</c>.</summary>
    public const int MaxBytes = 100 * 1024 * 1024;

    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var project = ResourceName.Require(request.Route("project"), "project");
        if (request.Body.Length == 0)
        {
            throw MlopsException.Invalid("$", "required", "The body must hold the dataset (CSV, JSON rows, JSON Lines or Parquet).");
        }

        if (request.Body.Length > MaxBytes)
        {
            throw new MlopsException(ErrorCode.TooLarge, $"Bodies over {MaxBytes / (1024 * 1024)} MB are not accepted here: upload the file to the blob container incoming/{project}/ instead.");
        }

        var fileName = request.Query.GetValueOrDefault("fileName") ?? FileNameFor(request.MediaType);
        var result = await intake.IngestAsync(project, fileName, "http", new MemoryStream(request.Body, writable: false), context.CancellationToken).ConfigureAwait(false);
        if (!result.Accepted)
        {
            var rejected = new UploadResponse("rejected", result.Dataset, result.Report, null, null,
                $"The data was rejected and kept in quarantine ({result.Dataset.Reason}). Fix the listed rows and columns, then upload again.");
            return HttpResponseData.Json(rejected, 422);
        }

        var runId = PipelineRuns.UploadRunId(project, result.Dataset.Sha256);
        var run = await launcher.LaunchAsync(context, new Uri(request.BaseUrl), project, runId, [result.Dataset.Sha256],
            RunTrigger.Upload, result.Dataset.Sha256, context.CancellationToken).ConfigureAwait(false);
        var response = new UploadResponse(result.Created ? "accepted" : "unchanged", result.Dataset, result.Report, run.RunId, run.CheckStatus,
            result.Created
                ? $"Dataset version {result.Dataset.Version} stored; training run {run.RunId} started. Follow it at GET /api/runs/{run.RunId}."
                : $"Identical data is already version {result.Dataset.Version}; no new version. Its run is {run.RunId}.");
        return HttpResponseData.Json(response, result.Created ? 202 : 200)
            .WithHeader("Location", run.CheckStatus.StatusQueryGetUri);
    }

    private static string FileNameFor(string mediaType) => mediaType switch
    {
        "application/json" => "upload.json",
        "application/x-ndjson" or "application/jsonl" => "upload.jsonl",
        "application/vnd.apache.parquet" or "application/octet-stream" => "upload.parquet",
        _ => "upload.csv",
    };
}

/// <summary><c>GET /api/projects/{project}/datasets</c>.</summary>
[Function("ListDatasets")]
[HttpTrigger("projects/{project}/datasets", "get")]
[ApiOperation("Dataset versions, newest first, with row counts and profile links; plus quarantined uploads", Tag = "Datasets", Response = typeof(DatasetListResponse))]
public sealed class ListDatasetsFunction(CatalogServices catalog) : IHttpFunction
{
    /// <inheritdoc />
    public async Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context)
    {
        var project = ResourceName.Require(request.Route("project"), "project");
        _ = await catalog.Projects.GetAsync(project, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        var versions = new List<Catalog.Datasets.DatasetVersion>();
        await foreach (var v in catalog.Datasets.ListAsync(project, context.CancellationToken).ConfigureAwait(false))
        {
            versions.Add(v);
        }

        var quarantined = await catalog.Datasets.ListQuarantinedAsync(project, context.CancellationToken).ConfigureAwait(false);
        return HttpResponseData.Json(new DatasetListResponse(project, versions, quarantined));
    }
}
