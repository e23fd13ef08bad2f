using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Mlops.Storage;

/// <summary>A <see cref="BlobStore"/> on Azure Blob storage (or Azurite). Containers are created on first use, once per process.</summary>
public sealed class AzureBlobStore : BlobStore
{
    private readonly BlobServiceClient _service;
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);

    /// <summary>Wraps a service client (built from a connection string or a token credential).</summary>
    public AzureBlobStore(BlobServiceClient service) => _service = service;

    /// <inheritdoc />
    public override async Task<BlobWriteResult> PutAsync(string container, string path, Stream content, BlobPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobPutOptions();
        StorageNames.RequireMetadata(options.Metadata);
        var blob = (await ContainerAsync(container, cancellationToken).ConfigureAwait(false)).GetBlobClient(StorageNames.RequireBlobPath(path));
        var upload = new BlobUploadOptions
        {
            HttpHeaders = options.ContentType is null ? null : new BlobHttpHeaders { ContentType = options.ContentType },
            Metadata = options.Metadata?.ToDictionary(kv => kv.Key, kv => kv.Value),
            Conditions = options.Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
        };
        try
        {
            var response = await blob.UploadAsync(content, upload, cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(BlobWriteStatus.Written, response.Value.ETag.ToString());
        }
        catch (RequestFailedException ex) when (!options.Overwrite && ex.Status is 409 or 412)
        {
            var existing = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(BlobWriteStatus.AlreadyExists, existing.Value.ETag.ToString());
        }
    }

    /// <inheritdoc />
    public override async Task<BlobDownload?> GetAsync(string container, string path, CancellationToken cancellationToken = default)
    {
        var blob = (await ContainerAsync(container, cancellationToken).ConfigureAwait(false)).GetBlobClient(StorageNames.RequireBlobPath(path));
        try
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var details = response.Value.Details;
            var info = new BlobInfo(container, path, details.ContentLength, details.ETag.ToString(), details.LastModified, details.ContentType,
                new Dictionary<string, string>(details.Metadata, StringComparer.OrdinalIgnoreCase), details.BlobType == BlobType.Append ? BlobKind.Append : BlobKind.Block);
            return new BlobDownload(info, response.Value.Content);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public override async Task<BlobInfo?> GetInfoAsync(string container, string path, CancellationToken cancellationToken = default)
    {
        var blob = (await ContainerAsync(container, cancellationToken).ConfigureAwait(false)).GetBlobClient(StorageNames.RequireBlobPath(path));
        try
        {
            var p = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobInfo(container, path, p.ContentLength, p.ETag.ToString(), p.LastModified, p.ContentType,
                new Dictionary<string, string>(p.Metadata, StringComparer.OrdinalIgnoreCase), p.BlobType == BlobType.Append ? BlobKind.Append : BlobKind.Block);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = await ContainerAsync(container, cancellationToken).ConfigureAwait(false);
        await foreach (var item in client.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken).ConfigureAwait(false))
        {
            var p = item.Properties;
            yield return new BlobInfo(container, item.Name, p.ContentLength ?? 0, p.ETag?.ToString() ?? "", p.LastModified ?? default, p.ContentType,
                new Dictionary<string, string>(item.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase),
                p.BlobType == BlobType.Append ? BlobKind.Append : BlobKind.Block);
        }
    }

    /// <inheritdoc />
    public override async Task<BlobAppendStatus> AppendAsync(string container, string path, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default)
    {
        if (block.Length is 0 or > MaxAppendBytes)
        {
            throw new ArgumentException($"An append block must be 1-{MaxAppendBytes} bytes; this one is {block.Length}.", nameof(block));
        }

        var client = (await ContainerAsync(container, cancellationToken).ConfigureAwait(false)).GetAppendBlobClient(StorageNames.RequireBlobPath(path));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var stream = new MemoryStream(block.ToArray(), writable: false);
                await client.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                return BlobAppendStatus.Appended;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && attempt == 0)
            {
                // The first append to a path creates the blob; creating it only then keeps the common path at one request.
                await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlockCountExceedsLimit || ex.ErrorCode == "BlockCountExceedsLimit")
            {
                return BlobAppendStatus.BlobFull;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.InvalidBlobType)
            {
                throw new InvalidOperationException($"Blob '{container}/{path}' is not an append blob.", ex);
            }
        }
    }

    private async Task<BlobContainerClient> ContainerAsync(string container, CancellationToken cancellationToken)
    {
        StorageNames.RequireContainer(container);
        var lazy = _containers.GetOrAdd(container, name => new Lazy<Task<BlobContainerClient>>(() => CreateAsync(name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            _containers.TryRemove(new KeyValuePair<string, Lazy<Task<BlobContainerClient>>>(container, lazy));
            throw;
        }
    }

    private async Task<BlobContainerClient> CreateAsync(string container)
    {
        var client = _service.GetBlobContainerClient(container);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }
}
