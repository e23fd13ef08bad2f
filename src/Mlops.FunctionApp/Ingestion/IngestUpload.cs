using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Features;
using Mlops.FunctionApp.Hosting;
using Mlops.FunctionApp.Pipeline;
using Mlops.Pipeline;
using Mlops.Pipeline.Ingestion;

namespace Mlops.FunctionApp.Ingestion;

/// <summary>
/// Blob trigger on <c>incoming/{project}/{name}</c> (Event Grid source, as Flex Consumption requires): streams the blob into
/// ingestion and, when it is a new accepted version, starts the training pipeline. Safe to run twice for the same blob:
/// the dataset is content-addressed and the run id derives from its sha256.
/// </summary>
public sealed partial class IngestUpload(DatasetIntake intake, RunLauncher launcher, FeatureMaterializationLauncher features, ILogger<IngestUpload> logger)
{
    /// <summary>The function.</summary>
    [Function(nameof(IngestUpload))]
    public async Task Run(
        [BlobTrigger("incoming/{project}/{name}", Source = BlobTriggerSource.EventGrid, Connection = AppServices.StorageConnection)] BlobClient blob,
        string project, string name, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        var ct = context.CancellationToken;
        if (!ResourceName.IsValid(project))
        {
            // Nothing can be stored under an invalid name; the blob stays in incoming/ untouched.
            LogIgnored(logger, project, name, $"'{project}' is not a valid project name ({ResourceName.Pattern})");
            return;
        }

        IntakeResult result;
        try
        {
            await using var content = await blob.OpenReadAsync(cancellationToken: ct).ConfigureAwait(false);
            result = await intake.IngestAsync(project, name, "blob", content, ct).ConfigureAwait(false);
        }
        catch (MlopsException ex) when (ex.Code == ErrorCode.NotFound)
        {
            LogIgnored(logger, project, name, ex.Message);
            return;
        }

        if (!result.Accepted)
        {
            LogQuarantined(logger, project, name, result.Dataset.Reason ?? "", result.Dataset.Sha256);
            return;
        }

        // Feature views over this project first: the run's training join reads what they have materialised by then.
        await features.LaunchForSourceAsync(client, "project", project, ct).ConfigureAwait(false);
        var run = await launcher.LaunchAsync(client, project, PipelineRuns.UploadRunId(project, result.Dataset.Sha256), [result.Dataset.Sha256],
            RunTrigger.Upload, result.Dataset.Sha256, ct).ConfigureAwait(false);
        LogIngested(logger, project, result.Dataset.Version, result.Dataset.RowCount, result.Dataset.Sha256, run.RunId, run.Started);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Ignored upload incoming/{Project}/{Name}: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string project, string name, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Quarantined incoming/{Project}/{Name}: {Reason} (report: quarantine/{Project}/{Sha256}/report.json)")]
    private static partial void LogQuarantined(ILogger logger, string project, string name, string reason, string sha256);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Dataset {Project} v{Version} ({Rows} rows, sha256 {Sha256}); run {RunId} started: {Started}")]
    private static partial void LogIngested(ILogger logger, string project, int version, long rows, string sha256, string runId, bool started);
}
