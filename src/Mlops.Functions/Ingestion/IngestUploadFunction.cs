using Microsoft.Extensions.Logging;
using Mlops.Catalog.Runs;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.Functions.Hosting;
using Mlops.Functions.Pipeline;
using Mlops.Pipeline;
using Mlops.Pipeline.Ingestion;

namespace Mlops.Functions.Ingestion;

/// <summary>
/// Blob trigger on <c>incoming/{project}/{name}</c>: ingests the upload and, when it is a new accepted version,
/// starts the training pipeline. Safe to run twice for the same blob: the dataset is content-addressed and the run id
/// is derived from its sha256.
/// </summary>
[Function("IngestUpload")]
[BlobTrigger("incoming/{project}/{name}")]
[DurableClient]
public sealed partial class IngestUploadFunction(DatasetIntake intake, PipelineLauncher launcher, ILogger<IngestUploadFunction> logger) : IBlobFunction
{
    /// <inheritdoc />
    public async Task RunAsync(BlobInvocation blob, FunctionContext context)
    {
        var project = blob.PathTokens.GetValueOrDefault("project") ?? "";
        var name = blob.PathTokens.GetValueOrDefault("name") ?? "upload.csv";
        if (!ResourceName.IsValid(project))
        {
            // Nothing can be stored under an invalid name; the blob stays in incoming/ untouched.
            context.Logs.Add($"Ignored incoming/{project}/{name}: '{project}' is not a valid project name ({ResourceName.Pattern}).");
            return;
        }

        IntakeResult result;
        try
        {
            result = await intake.IngestAsync(project, name, "blob", new MemoryStream(blob.Content, writable: false), context.CancellationToken).ConfigureAwait(false);
        }
        catch (MlopsException ex) when (ex.Code == ErrorCode.NotFound)
        {
            context.Logs.Add($"Ignored incoming/{project}/{name}: {ex.Message}");
            LogIgnored(logger, project, name, ex.Message);
            return;
        }

        if (!result.Accepted)
        {
            context.Logs.Add($"Quarantined incoming/{project}/{name}: {result.Dataset.Reason} (report: quarantine/{project}/{result.Dataset.Sha256}/report.json)");
            return;
        }

        var baseUri = new Uri(Environment.GetEnvironmentVariable("MLOPS_PUBLIC_BASE_URL") ?? "http://localhost:7071");
        var run = await launcher.LaunchAsync(context, baseUri, project, PipelineRuns.UploadRunId(project, result.Dataset.Sha256),
            [result.Dataset.Sha256], RunTrigger.Upload, result.Dataset.Sha256, context.CancellationToken).ConfigureAwait(false);
        context.Logs.Add($"Dataset {project} v{result.Dataset.Version} ({result.Dataset.RowCount} rows, sha256 {result.Dataset.Sha256[..12]}); " +
                         (run.Started ? $"started run {run.RunId}" : $"run {run.RunId} already exists"));
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Ignored upload incoming/{Project}/{Name}: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string project, string name, string reason);
}
