using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs.Models;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Triggers;

/// <summary>A blob trigger's <c>path</c>: a container and a blob-name pattern with <c>{tokens}</c>.</summary>
internal sealed partial class BlobPathPattern
{
    private readonly Regex _regex;

    public BlobPathPattern(string path)
    {
        var slash = path.IndexOf('/');
        Container = slash < 0 ? path : path[..slash];
        var blobPattern = slash < 0 ? "{name}" : path[(slash + 1)..];
        var brace = blobPattern.IndexOf('{');
        Prefix = brace < 0 ? blobPattern : blobPattern[..brace];
        var parts = TokenRegex().Split(blobPattern);
        var pattern = new System.Text.StringBuilder("^");
        var tokens = TokenRegex().Matches(blobPattern).Select(m => m.Groups[1].Value).ToList();
        for (var i = 0; i < parts.Length; i++)
        {
            // Split with a capture group interleaves literals (even) and token names (odd).
            if (i % 2 == 0)
            {
                pattern.Append(Regex.Escape(parts[i]));
            }
            else
            {
                var last = parts[i] == tokens[^1];
                pattern.Append($"(?<{parts[i]}>{(last ? ".+" : ".+?")})");
            }
        }

        pattern.Append('$');
        _regex = new Regex(pattern.ToString(), RegexOptions.CultureInvariant);
    }

    public string Container { get; }

    public string Prefix { get; }

    /// <summary>The token values of a matching blob name, or null when it does not match.</summary>
    public Dictionary<string, string>? Match(string blobName)
    {
        var m = _regex.Match(blobName);
        if (!m.Success)
        {
            return null;
        }

        return _regex.GetGroupNames().Where(g => !int.TryParse(g, out _)).ToDictionary(g => g, g => m.Groups[g].Value, StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex TokenRegex();
}

/// <summary>
/// Blob triggers by container scan (<c>LogsAndContainerScan</c>): a new or changed blob gets a receipt in
/// <c>azure-webjobs-hosts/blobreceipts/{hostId}/Host.Functions.{Name}/{eTag}/{container}/{blob}</c> and a message on the
/// host's <c>azure-webjobs-blobtrigger-{hostId}</c> queue; that queue runs the function, retrying a failure up to 5 times
/// before the message goes to <c>webjobs-blobtrigger-poison</c> (spec §9a). The receipt is written incomplete before the
/// message and completed after it, so a restart neither loses a blob nor fires one twice.
/// </summary>
internal sealed class BlobTriggerListener : IAsyncDisposable
{
    private const int MaxDequeueCount = 5;
    private readonly IReadOnlyList<FunctionDefinition> _functions;
    private readonly Func<string?, StorageAccount> _accounts;
    private readonly StorageAccount _hostAccount;
    private readonly FunctionRunner _runner;
    private readonly MessageLeaseKeeper _leases;
    private readonly FunctionsHostOptions _options;
    private readonly HostConsole _console;
    private readonly AppSettings _settings;
    private readonly string _hostId;
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private QueuePoller? _poller;
    private Task? _scan;

    public BlobTriggerListener(IReadOnlyList<FunctionDefinition> functions, Func<string?, StorageAccount> accounts, StorageAccount hostAccount, FunctionRunner runner,
        MessageLeaseKeeper leases, FunctionsHostOptions options, HostConsole console, AppSettings settings, string hostId)
    {
        _functions = functions;
        _accounts = accounts;
        _hostAccount = hostAccount;
        _runner = runner;
        _leases = leases;
        _options = options;
        _console = console;
        _settings = settings;
        _hostId = hostId;
    }

    private string TriggerQueueName => $"azure-webjobs-blobtrigger-{_hostId}";

    public BlobPathPattern Pattern(FunctionDefinition f) => new(_settings.Expand(f.Trigger!.Get("path") ?? ""));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = _hostAccount.Queue(TriggerQueueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _hostAccount.Blobs.GetBlobContainerClient("azure-webjobs-hosts").CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var f in _functions)
        {
            await _accounts(f.Trigger!.Get("connection")).Blobs.GetBlobContainerClient(Pattern(f).Container).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        _poller = new QueuePoller(queue, _leases, _options.MaxQueuePollInterval, 8, HandleAsync, ex => _console.Line($"Blob trigger queue: {ex.Message}"));
        _poller.Start();
        _scan = Task.Run(ScanLoopAsync, CancellationToken.None);
    }

    private async Task ScanLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var f in _functions)
            {
                try
                {
                    await ScanAsync(f, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    _console.Line($"Blob scan for {f.Name} failed, retrying: {ex.Message}");
                }
                catch (Exception)
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(_options.BlobScanInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ScanAsync(FunctionDefinition f, CancellationToken cancellationToken)
    {
        var pattern = Pattern(f);
        var container = _accounts(f.Trigger!.Get("connection")).Blobs.GetBlobContainerClient(pattern.Container);
        var receipts = _hostAccount.Blobs.GetBlobContainerClient("azure-webjobs-hosts");
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, pattern.Prefix.Length == 0 ? null : pattern.Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (pattern.Match(blob.Name) is null)
            {
                continue;
            }

            var etag = blob.Properties.ETag?.ToString().Trim('"') ?? "";
            var receiptName = $"blobreceipts/{_hostId}/Host.Functions.{f.Name}/{etag}/{pattern.Container}/{blob.Name}";
            if (_seen.ContainsKey(receiptName))
            {
                continue;
            }

            var receipt = receipts.GetBlobClient(receiptName);
            var incomplete = new Dictionary<string, string> { ["Incomplete"] = "true" };
            try
            {
                await receipt.UploadAsync(BinaryData.Empty, new BlobUploadOptions
                {
                    Metadata = incomplete,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                var props = await receipt.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!props.Value.Metadata.ContainsKey("Incomplete"))
                {
                    _seen[receiptName] = 0;
                    continue;
                }

                // Left incomplete by a host that died between receipt and queue message: finish its work.
            }

            var message = new JsonObject
            {
                ["Type"] = "BlobTrigger",
                ["FunctionId"] = $"Host.Functions.{f.Name}",
                ["BlobType"] = "BlockBlob",
                ["ContainerName"] = pattern.Container,
                ["BlobName"] = blob.Name,
                ["ETag"] = blob.Properties.ETag?.ToString(),
            };
            await _hostAccount.Queue(TriggerQueueName).SendMessageAsync(message.ToJsonString(), cancellationToken).ConfigureAwait(false);
            _poller?.Signal();
            // The receipt is complete once the trigger is queued, not when the function succeeds (spec §9a).
            await receipt.SetMetadataAsync(new Dictionary<string, string>(), cancellationToken: cancellationToken).ConfigureAwait(false);
            _seen[receiptName] = 0;
        }
    }

    private async Task HandleAsync(LeasedMessage leased, CancellationToken cancellationToken)
    {
        var message = JsonNode.Parse(leased.Message.Body.ToString())!.AsObject();
        var functionId = message["FunctionId"]?.GetValue<string>() ?? "";
        var function = _functions.FirstOrDefault(f => $"Host.Functions.{f.Name}" == functionId);
        if (function is null)
        {
            await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var container = message["ContainerName"]!.GetValue<string>();
        var blobName = message["BlobName"]!.GetValue<string>();
        if (leased.DequeueCount > MaxDequeueCount)
        {
            await PoisonAsync(leased, function, cancellationToken).ConfigureAwait(false);
            return;
        }

        bool succeeded;
        try
        {
            var outcome = await InvokeAsync(function, container, blobName, message["ETag"]?.GetValue<string>(), cancellationToken).ConfigureAwait(false);
            if (outcome is null)
            {
                // The blob is gone or has a newer version (which has its own receipt): nothing to run.
                await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            succeeded = outcome.Value;
        }
        catch (HandlerUnavailableException)
        {
            await leased.ReleaseAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (succeeded)
        {
            await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (leased.DequeueCount >= MaxDequeueCount)
        {
            await PoisonAsync(leased, function, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await leased.ReleaseAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PoisonAsync(LeasedMessage leased, FunctionDefinition function, CancellationToken cancellationToken)
    {
        // The poison queue lives in the blob's own account (spec §9a).
        var poison = _accounts(function.Trigger!.Get("connection")).Queue("webjobs-blobtrigger-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(leased.Message.Body.ToString(), cancellationToken).ConfigureAwait(false);
        await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
        _console.Line($"Blob trigger for {function.Name} failed {MaxDequeueCount} times; message moved to 'webjobs-blobtrigger-poison'.");
    }

    /// <summary>Runs the function on one blob (spec §2.2: base64 content; Uri, Properties, Metadata and path tokens in Metadata). Null when the blob is gone or changed.</summary>
    public async Task<bool?> InvokeAsync(FunctionDefinition function, string container, string blobName, string? expectedETag, CancellationToken cancellationToken)
    {
        var client = _accounts(function.Trigger!.Get("connection")).Blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        Azure.Response<BlobDownloadResult> download;
        try
        {
            download = await client.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        var details = download.Value.Details;
        if (expectedETag is not null && details.ETag.ToString().Trim('"') != expectedETag.Trim('"'))
        {
            return null;
        }

        var tokens = Pattern(function).Match(blobName) ?? [];
        var properties = new JsonObject
        {
            ["LastModified"] = PayloadEncoding.IsoDate(details.LastModified),
            ["ContentType"] = details.ContentType,
            ["ContentLength"] = download.Value.Content.ToMemory().Length,
            ["ETag"] = details.ETag.ToString(),
            ["BlobType"] = details.BlobType.ToString(),
            ["ContentMD5"] = details.ContentHash is { Length: > 0 } md5 ? Convert.ToBase64String(md5) : null,
        };
        var blobMetadata = new JsonObject();
        foreach (var (k, v) in details.Metadata)
        {
            blobMetadata[k] = v;
        }

        var data = new JsonObject { [function.Trigger!.Name] = PayloadEncoding.EncodeBytes(download.Value.Content.ToMemory().Span) };
        var metadata = new JsonObject
        {
            ["Uri"] = PayloadEncoding.EncodeString(client.Uri.ToString()),
            ["Properties"] = properties,
            ["Metadata"] = blobMetadata,
        };
        var bindingData = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["BlobTrigger"] = $"{container}/{blobName}" };
        foreach (var (k, v) in tokens)
        {
            metadata[k] = PayloadEncoding.EncodeString(v);
            bindingData[k] = v;
        }

        var result = await _runner.RunAsync(function, data, metadata, bindingData, $"New blob detected({details.BlobType}): {container}/{blobName}", cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_scan is not null)
        {
            await _scan.ConfigureAwait(false);
        }

        if (_poller is not null)
        {
            await _poller.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
