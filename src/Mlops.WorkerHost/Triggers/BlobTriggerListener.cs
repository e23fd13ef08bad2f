using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Triggers;

/// <summary>
/// Blob triggers (spec §5.2): containers are scanned (also for <c>Source = EventGrid</c>, as Event Grid cannot reach a
/// laptop); each blob version runs once, remembered by a receipt in <c>azure-webjobs-hosts/blobreceipts</c>; a blob that
/// fails <see cref="MaxAttempts"/> times goes to <c>webjobs-blobtrigger-poison</c>.
/// </summary>
internal sealed class BlobTriggerListener(TriggerContext context) : ITriggerListener
{
    public const string PoisonQueue = "webjobs-blobtrigger-poison";
    private const int MaxAttempts = 5;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];

    public bool Handles(FunctionDefinition function) => function.HasTrigger("blobTrigger");

    public async Task StartAsync(IReadOnlyList<FunctionDefinition> functions, CancellationToken cancellationToken)
    {
        foreach (var function in functions)
        {
            var pattern = new BlobPathPattern(context.Settings.Expand(function.Trigger!.Get("path") ?? ""));
            var container = context.Storage.Blobs(function.Trigger.Get("connection")).GetBlobContainerClient(pattern.Container);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await Receipts(function).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _loops.Add(Task.Run(() => ScanLoopAsync(function, pattern, container, _stopping.Token)));
        }
    }

    public void Fire(FunctionDefinition function, string? input) => context.RunInBackground(async () =>
    {
        // The admin input is the blob path "container/name".
        var path = input ?? "";
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var container = context.Storage.Blobs(function.Trigger!.Get("connection")).GetBlobContainerClient(path[..Math.Max(slash, 0)]);
        var blob = container.GetBlobClient(path[(slash + 1)..]);
        var pattern = new BlobPathPattern(context.Settings.Expand(function.Trigger.Get("path") ?? ""));
        await RunAsync(function, pattern, blob, _stopping.Token).ConfigureAwait(false);
    }, function.Name);

    private async Task ScanLoopAsync(FunctionDefinition function, BlobPathPattern pattern, BlobContainerClient container, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(context.Options.BlobScanInterval);
        do
        {
            try
            {
                await ScanAsync(function, pattern, container, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage hiccups or a failed output write: the next scan tries again (no receipt was written).
                context.Console.Line($"blob scan of '{container.Name}': {ex.Message}");
            }
        }
        while (await WaitAsync(timer, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ScanAsync(FunctionDefinition function, BlobPathPattern pattern, BlobContainerClient container, CancellationToken cancellationToken)
    {
        var receipts = Receipts(function);
        var work = new List<Task>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = pattern.Prefix }, cancellationToken).ConfigureAwait(false))
        {
            if (pattern.Match(item.Name) is null)
            {
                continue;
            }

            var receipt = receipts.GetBlobClient(ReceiptName(function, container.Name, item.Name, item.Properties.ETag));
            if (await receipt.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            work.Add(RunOnceAsync(function, pattern, container.GetBlobClient(item.Name), receipt, item.Properties.ETag, cancellationToken));
        }

        await Task.WhenAll(work).ConfigureAwait(false);
    }

    private async Task RunOnceAsync(FunctionDefinition function, BlobPathPattern pattern, BlobClient blob, BlobClient receipt, ETag? etag, CancellationToken cancellationToken)
    {
        var key = receipt.Name;
        bool succeeded;
        try
        {
            succeeded = await RunAsync(function, pattern, blob, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
            // Not the function's fault: the next scan retries it on the restarted worker.
            return;
        }

        if (!succeeded)
        {
            if (_failures.AddOrUpdate(key, 1, (_, n) => n + 1) < MaxAttempts)
            {
                return;
            }

            var poison = context.Storage.Queue(function.Trigger!.Get("connection"), PoisonQueue);
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await poison.SendMessageAsync(new JsonObject
            {
                ["Type"] = "BlobTrigger",
                ["FunctionId"] = $"Host.Functions.{function.Name}",
                ["BlobType"] = "BlockBlob",
                ["ContainerName"] = blob.BlobContainerName,
                ["BlobName"] = blob.Name,
                ["ETag"] = etag?.ToString(),
            }.ToJsonString(), cancellationToken).ConfigureAwait(false);
            context.Console.Line($"Blob '{blob.BlobContainerName}/{blob.Name}' moved to queue '{PoisonQueue}' after {MaxAttempts} failed attempts.");
        }

        _failures.TryRemove(key, out _);
        await receipt.UploadAsync(BinaryData.FromString(""), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> RunAsync(FunctionDefinition function, BlobPathPattern pattern, BlobClient blob, CancellationToken cancellationToken)
    {
        var binding = function.Trigger!;
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        BindingValue trigger;
        if (binding.SupportsDeferredBinding)
        {
            // Key names are read case-sensitively by the worker's blob converter.
            var content = new JsonObject
            {
                ["Connection"] = binding.Get("connection") is { Length: > 0 } c ? c : "AzureWebJobsStorage",
                ["ContainerName"] = blob.BlobContainerName,
                ["BlobName"] = blob.Name,
            };
            trigger = new BindingValue.Model("AzureStorageBlobs", content.ToJsonString());
        }
        else
        {
            var data = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            trigger = string.Equals(binding.DataType, "string", StringComparison.OrdinalIgnoreCase)
                ? new BindingValue.Text(data.ToString())
                : new BindingValue.Binary(data.ToArray());
        }

        var metadata = new Dictionary<string, BindingValue>(StringComparer.OrdinalIgnoreCase)
        {
            ["BlobTrigger"] = new BindingValue.Text($"{blob.BlobContainerName}/{blob.Name}"),
            ["Uri"] = new BindingValue.Json(JsonSerializer.Serialize(blob.Uri.ToString())),
            ["Properties"] = new BindingValue.Json(new JsonObject
            {
                ["ContentLength"] = properties.ContentLength,
                ["ContentType"] = properties.ContentType,
                ["ETag"] = properties.ETag.ToString(),
                ["LastModified"] = properties.LastModified,
                ["CreatedOn"] = properties.CreatedOn,
            }.ToJsonString()),
            ["Metadata"] = new BindingValue.Json(JsonSerializer.Serialize(properties.Metadata)),
        };
        foreach (var (token, value) in pattern.Match(blob.Name) ?? new Dictionary<string, string>())
        {
            metadata[token] = new BindingValue.Text(value);
        }

        var result = await context.RunAsync(function, trigger, metadata, $"New blob detected: {blob.BlobContainerName}/{blob.Name}", cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    private BlobContainerClient Receipts(FunctionDefinition function) =>
        context.Storage.Blobs(function.Trigger!.Get("connection")).GetBlobContainerClient("azure-webjobs-hosts");

    /// <summary>One receipt per function and blob version (ETag), under the host id like the real extension's receipts.</summary>
    private string ReceiptName(FunctionDefinition function, string container, string blob, ETag? etag) =>
        $"blobreceipts/{context.HostId}/Host.Functions.{function.Name}/{etag?.ToString().Trim('"')}/{container}/{blob}";

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
