using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Features;
using Mlops.FunctionApp.Hosting;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline;
using Mlops.Pipeline.Ingestion;

namespace Mlops.FunctionApp.Api;

/// <summary>Dataset uploads and listings.</summary>
public sealed class DatasetFunctions(DatasetIntake intake, RunLauncher launcher, CatalogServices catalog, FeatureMaterializationLauncher features)
{
    /// <summary>Largest accepted body; bigger files go through blob upload to <c>incoming/</c>.</summary>
    public const long MaxBytes = 100 * 1024 * 1024;

    /// <summary>
    /// Uploads CSV, JSON rows, JSON Lines or Parquet; the same path as a blob upload to <c>incoming/{project}/{file}</c>.
    /// The body is streamed into ingestion, never held whole in memory.
    /// </summary>
    [Function("UploadDataset")]
    [ApiOperation("Upload a dataset version; a new accepted version starts the training pipeline", Tag = "Datasets",
        RequestMediaTypes = ["text/csv", "application/json", "application/x-ndjson", "application/vnd.apache.parquet"], Response = typeof(UploadResponse),
        SuccessStatus = 202, ErrorStatuses = [400, 404, 413, 422],
        Description = "202 with the dataset version and the pipeline's check-status URLs; 200 when the identical data was uploaded before " +
                      "(the existing version, no new run); 422 with the validation report when the data is rejected (it is kept in quarantine).")]
    public async Task<IActionResult> UploadDataset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects/{project}/datasets")] HttpRequest request, string project,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        if (request.ContentLength is 0)
        {
            throw MlopsException.Invalid("$", "required", "The body must hold the dataset (CSV, JSON rows, JSON Lines or Parquet).");
        }

        if (request.ContentLength > MaxBytes)
        {
            throw new MlopsException(ErrorCode.TooLarge, $"Bodies over {MaxBytes / (1024 * 1024)} MB are not accepted here: upload the file to the blob container incoming/{project}/ instead.");
        }

        var fileName = request.Query["fileName"].FirstOrDefault() ?? FileNameFor(request.ContentType);
        var result = await intake.IngestAsync(project, fileName, "http", request.Body, context.CancellationToken).ConfigureAwait(false);
        if (!result.Accepted)
        {
            return ApiJson.Result(new UploadResponse("rejected", result.Dataset, result.Report, null, null,
                $"The data was rejected and kept in quarantine ({result.Dataset.Reason}). Fix the listed rows and columns, then upload again."), 422);
        }

        // Views over this project are materialised again (idempotent: a repeat upload changes nothing there).
        await features.LaunchForSourceAsync(client, "project", project, context.CancellationToken).ConfigureAwait(false);

        var runId = PipelineRuns.UploadRunId(project, result.Dataset.Sha256);
        await launcher.LaunchAsync(client, project, runId, [result.Dataset.Sha256], RunTrigger.Upload, result.Dataset.Sha256, context.CancellationToken)
            .ConfigureAwait(false);
        var status = client.CreateHttpManagementPayload(runId, await context.GetHttpRequestDataAsync().ConfigureAwait(false));
        request.HttpContext.Response.Headers.Location = status.StatusQueryGetUri;
        return ApiJson.Result(new UploadResponse(result.Created ? "accepted" : "unchanged", result.Dataset, result.Report, runId, status,
            result.Created
                ? $"Dataset version {result.Dataset.Version} stored; training run {runId} started. Follow it at GET /api/runs/{runId}."
                : $"Identical data is already version {result.Dataset.Version}; no new version. Its run is {runId}."),
            result.Created ? 202 : 200);
    }

    /// <summary>Dataset versions, newest first, plus quarantined uploads.</summary>
    [Function("ListDatasets")]
    [ApiOperation("Dataset versions, newest first, with row counts and profile links; plus quarantined uploads", Tag = "Datasets", Response = typeof(DatasetListResponse))]
    public async Task<IActionResult> ListDatasets(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}/datasets")] HttpRequest request, string project, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        _ = await catalog.Projects.GetAsync(project, cancellationToken: context.CancellationToken).ConfigureAwait(false);
        var versions = new List<DatasetVersion>();
        await foreach (var v in catalog.Datasets.ListAsync(project, context.CancellationToken).ConfigureAwait(false))
        {
            versions.Add(v);
        }

        var quarantined = await catalog.Datasets.ListQuarantinedAsync(project, context.CancellationToken).ConfigureAwait(false);
        return ApiJson.Result(new DatasetListResponse(project, versions, quarantined));
    }

    private static string FileNameFor(string? contentType) => (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "application/json" => "upload.json",
        "application/x-ndjson" or "application/jsonl" => "upload.jsonl",
        "application/vnd.apache.parquet" or "application/octet-stream" => "upload.parquet",
        _ => "upload.csv",
    };
}
