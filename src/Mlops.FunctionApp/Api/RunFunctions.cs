using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.FunctionApp.Pipeline;

namespace Mlops.FunctionApp.Api;

/// <summary>Training runs: start one by hand, read one with its live pipeline status.</summary>
public sealed class RunFunctions(CatalogServices catalog, RunLauncher launcher)
{
    /// <summary>Trains on chosen dataset versions (default: the latest).</summary>
    [Function("StartRun")]
    [ApiOperation("Start a training run", Tag = "Runs", RequestBody = typeof(StartRunRequest), Response = typeof(StartRunResponse), SuccessStatus = 202,
        Description = "Body optional: `{\"datasetVersions\": [\"<sha256>\", ...]}`; default the latest accepted version.")]
    public async Task<IActionResult> StartRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "projects/{project}/runs")] HttpRequest request, string project,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        var body = await RequestBody.ReadJsonAsync(request, context.CancellationToken, new StartRunRequest(null)).ConfigureAwait(false);
        var versions = body.DatasetVersions ?? [];
        for (var i = 0; i < versions.Count; i++)
        {
            if (await catalog.Datasets.FindAsync(project, versions[i], context.CancellationToken).ConfigureAwait(false) is not { Status: DatasetStatus.Accepted })
            {
                throw MlopsException.Invalid($"datasetVersions[{i}]", "exists", $"datasetVersions[{i}] is not an accepted dataset version of '{project}'; see GET /api/projects/{project}/datasets.");
            }
        }

        var run = await launcher.LaunchAsync(client, project, catalog.Runs.NewRunId(), versions, RunTrigger.Manual, null, context.CancellationToken).ConfigureAwait(false);
        var status = client.CreateHttpManagementPayload(run.RunId, await context.GetHttpRequestDataAsync().ConfigureAwait(false));
        request.HttpContext.Response.Headers.Location = status.StatusQueryGetUri;
        return ApiJson.Result(new StartRunResponse(run.RunId, status), 202);
    }

    /// <summary>Params, metrics, timings per stage, lineage, status, and the live pipeline stage.</summary>
    [Function("GetRun")]
    [ApiOperation("A run: params, metrics per candidate, timings per stage, lineage, status and live progress", Tag = "Runs", Response = typeof(RunResponse))]
    public async Task<IActionResult> GetRun(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "runs/{runId}")] HttpRequest request, string runId,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        if (runId.Length is 0 or > 128 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw MlopsException.Invalid("runId", "pattern", "'runId' is letters, digits, '-' and '_' (at most 128).");
        }

        // The orchestration first, then the run record: the pipeline's last activity writes the record's final status
        // before the orchestration completes, so a Completed instance is always paired with its final record. (The
        // other order could pair a "running" record read just before the last activity with the Completed status read
        // just after it — seen in the crash test.)
        var instance = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, context.CancellationToken).ConfigureAwait(false);
        var run = await catalog.Runs.FindAsync(runId, context.CancellationToken).ConfigureAwait(false)
                  ?? throw MlopsException.NotFound($"No run '{runId}'.");
        return ApiJson.Result(new RunResponse(run, instance?.RuntimeStatus.ToString(), Parse(instance?.SerializedCustomStatus), Parse(instance?.SerializedOutput)));
    }

    private static JsonElement? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        catch (JsonException)
        {
            // A failed orchestration's output is its failure message, plain text: return it as a string, not a 500.
            return JsonSerializer.SerializeToElement(json);
        }
    }
}
