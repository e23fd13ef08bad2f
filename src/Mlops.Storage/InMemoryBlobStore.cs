using System.Globalization;

namespace Mlops.Storage;

/// <summary>A <see cref="BlobStore"/> in process memory with Azure's semantics (immutable puts, append blobs, naming rules). Thread-safe.</summary>
public sealed class InMemoryBlobStore : BlobStore
{
    /// <summary>Blocks one append blob holds (Azure's limit, 50,000); lower it to exercise what happens when a blob fills up.</summary>
    public int MaxAppendBlocks { get; init; } = 50_000;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoredBlob> _blobs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _etagCounter;

    /// <summary>Creates an empty store.</summary>
    public InMemoryBlobStore(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public override async Task<BlobWriteResult> PutAsync(string container, string path, Stream content, BlobPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        var key = Key(container, path);
        options ??= new BlobPutOptions();
        StorageNames.RequireMetadata(options.Metadata);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (!options.Overwrite && _blobs.TryGetValue(key, out var existing))
            {
                return new BlobWriteResult(BlobWriteStatus.AlreadyExists, existing.ETag);
            }

            var blob = new StoredBlob(BlobKind.Block, NextETag(), _time.GetUtcNow(), options.ContentType,
                new Dictionary<string, string>(options.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase));
            blob.Content.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            _blobs[key] = blob;
            return new BlobWriteResult(BlobWriteStatus.Written, blob.ETag);
        }
    }

    /// <inheritdoc />
    public override Task<BlobDownload?> GetAsync(string container, string path, CancellationToken cancellationToken = default)
    {
        var key = Key(container, path);
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue(key, out var blob)
                ? new BlobDownload(Info(container, path, blob), new MemoryStream(blob.Content.ToArray(), writable: false))
                : null);
        }
    }

    /// <inheritdoc />
    public override Task<BlobInfo?> GetInfoAsync(string container, string path, CancellationToken cancellationToken = default)
    {
        var key = Key(container, path);
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue(key, out var blob) ? Info(container, path, blob) : null);
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default)
    {
        StorageNames.RequireContainer(container);
        var start = container + "/" + prefix;
        lock (_gate)
        {
            return _blobs.Where(kv => kv.Key.StartsWith(start, StringComparison.Ordinal))
                .Select(kv => Info(container, kv.Key[(container.Length + 1)..], kv.Value))
                .ToList()
                .AsAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public override Task<BlobAppendStatus> AppendAsync(string container, string path, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default)
    {
        var key = Key(container, path);
        if (block.Length is 0 or > MaxAppendBytes)
        {
            throw new ArgumentException($"An append block must be 1-{MaxAppendBytes} bytes; this one is {block.Length}.", nameof(block));
        }

        lock (_gate)
        {
            if (!_blobs.TryGetValue(key, out var blob))
            {
                blob = new StoredBlob(BlobKind.Append, NextETag(), _time.GetUtcNow(), null, new Dictionary<string, string>());
                _blobs[key] = blob;
            }

            if (blob.Kind != BlobKind.Append)
            {
                throw new InvalidOperationException($"Blob '{container}/{path}' is not an append blob.");
            }

            if (blob.Blocks >= MaxAppendBlocks)
            {
                return Task.FromResult(BlobAppendStatus.BlobFull);
            }

            blob.Content.Write(block.Span);
            blob.Blocks++;
            blob.ETag = NextETag();
            blob.LastModified = _time.GetUtcNow();
            return Task.FromResult(BlobAppendStatus.Appended);
        }
    }

    private static string Key(string container, string path) => StorageNames.RequireContainer(container) + "/" + StorageNames.RequireBlobPath(path);

    private string NextETag() => string.Create(CultureInfo.InvariantCulture, $"\"0x{++_etagCounter:X}\"");

    private static BlobInfo Info(string container, string path, StoredBlob blob) =>
        new(container, path, blob.Content.Length, blob.ETag, blob.LastModified, blob.ContentType, new Dictionary<string, string>(blob.Metadata), blob.Kind);

    private sealed class StoredBlob(BlobKind kind, string etag, DateTimeOffset lastModified, string? contentType, Dictionary<string, string> metadata)
    {
        public BlobKind Kind { get; } = kind;
        public MemoryStream Content { get; } = new();
        public string ETag { get; set; } = etag;
        public DateTimeOffset LastModified { get; set; } = lastModified;
        public string? ContentType { get; } = contentType;
        public Dictionary<string, string> Metadata { get; } = metadata;
        public int Blocks { get; set; }
    }
}
