using System.Runtime.CompilerServices;
using System.Text;

namespace Mlops.Storage;

/// <summary>How a blob was written.</summary>
public enum BlobWriteStatus
{
    /// <summary>The content was written.</summary>
    Written,
    /// <summary>An immutable write found the blob already there and left it as it was.</summary>
    AlreadyExists,
}

/// <summary>The outcome of a put or copy, with the blob's ETag (the new one, or the existing blob's).</summary>
public readonly record struct BlobWriteResult(BlobWriteStatus Status, string ETag)
{
    /// <summary>True when the content was written by this call.</summary>
    public bool Written => Status == BlobWriteStatus.Written;
}

/// <summary>How an append went.</summary>
public enum BlobAppendStatus
{
    /// <summary>The block was appended.</summary>
    Appended,
    /// <summary>The append blob is full (50,000 blocks); write to another blob.</summary>
    BlobFull,
}

/// <summary>Options of a put.</summary>
public sealed record BlobPutOptions
{
    /// <summary>Immutable (default): write only if no blob is there, else report <see cref="BlobWriteStatus.AlreadyExists"/>. True: overwrite.</summary>
    public bool Overwrite { get; init; }

    /// <summary>The Content-Type to store, e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; init; }

    /// <summary>Metadata: keys are C# identifiers, values printable ASCII.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Whether a blob is written whole or appended to.</summary>
public enum BlobKind
{
    /// <summary>Written in one put.</summary>
    Block,
    /// <summary>Grown by appends.</summary>
    Append,
}

/// <summary>A blob's properties.</summary>
/// <param name="Container">Its container.</param>
/// <param name="Path">Its path in the container.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="ETag">Its version tag.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ContentType">Its Content-Type, if set.</param>
/// <param name="Metadata">Its metadata.</param>
/// <param name="Kind">Block or append blob.</param>
public sealed record BlobInfo(string Container, string Path, long Length, string ETag, DateTimeOffset LastModified, string? ContentType, IReadOnlyDictionary<string, string> Metadata, BlobKind Kind);

/// <summary>An open blob: its properties and a stream of its content. Dispose it.</summary>
public sealed class BlobDownload : IAsyncDisposable, IDisposable
{
    /// <summary>Wraps a content stream.</summary>
    public BlobDownload(BlobInfo info, Stream content)
    {
        Info = info;
        Content = content;
    }

    /// <summary>The blob's properties at the time it was opened.</summary>
    public BlobInfo Info { get; }

    /// <summary>The content (read once, forward only).</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();
}

/// <summary>
/// A store of blobs in containers: the primitive behind datasets, models, logs and reports. Immutable writes
/// report "already exists" instead of failing, so a retried write is harmless. There is deliberately no delete:
/// nothing the platform stored is ever removed by the platform. Containers are created on first use.
/// Implementations: <see cref="AzureBlobStore"/> and <see cref="InMemoryBlobStore"/>.
/// </summary>
public abstract class BlobStore
{
    /// <summary>The largest block one append may add (the block size every Azure service version accepts).</summary>
    public const int MaxAppendBytes = 4 * 1024 * 1024;

    /// <summary>Writes a blob from a stream (immutable unless <see cref="BlobPutOptions.Overwrite"/>).</summary>
    public abstract Task<BlobWriteResult> PutAsync(string container, string path, Stream content, BlobPutOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Writes a blob from bytes in memory.</summary>
    public Task<BlobWriteResult> PutAsync(string container, string path, BinaryData content, BlobPutOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(container, path, content.ToStream(), options, cancellationToken);

    /// <summary>Opens a blob, or returns null when it does not exist.</summary>
    public abstract Task<BlobDownload?> GetAsync(string container, string path, CancellationToken cancellationToken = default);

    /// <summary>A blob's properties, or null when it does not exist.</summary>
    public abstract Task<BlobInfo?> GetInfoAsync(string container, string path, CancellationToken cancellationToken = default);

    /// <summary>True when the blob exists.</summary>
    public async Task<bool> ExistsAsync(string container, string path, CancellationToken cancellationToken = default) =>
        await GetInfoAsync(container, path, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The blobs whose path starts with <paramref name="prefix"/> (empty: all), in ordinal path order, page by page.</summary>
    public abstract IAsyncEnumerable<BlobInfo> ListAsync(string container, string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends one block (at most <see cref="MaxAppendBytes"/>) to an append blob, creating it if needed. A block is
    /// atomic: readers see all of it or none. Many writers should use distinct blobs.
    /// </summary>
    public abstract Task<BlobAppendStatus> AppendAsync(string container, string path, ReadOnlyMemory<byte> block, CancellationToken cancellationToken = default);

    /// <summary>
    /// Copies a blob (content, content type, metadata). By default immutable at the destination, like <see cref="PutAsync(string, string, Stream, BlobPutOptions?, CancellationToken)"/>.
    /// Streams through this process, which works alike under account keys and managed identity.
    /// </summary>
    public virtual async Task<BlobWriteResult> CopyAsync(string sourceContainer, string sourcePath, string destinationContainer, string destinationPath, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        await using var source = await GetAsync(sourceContainer, sourcePath, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"Blob '{sourceContainer}/{sourcePath}' does not exist.");
        return await PutAsync(destinationContainer, destinationPath, source.Content,
            new BlobPutOptions { Overwrite = overwrite, ContentType = source.Info.ContentType, Metadata = source.Info.Metadata }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The whole content of a blob, or null when it does not exist.</summary>
    public async Task<BinaryData?> ReadAllAsync(string container, string path, CancellationToken cancellationToken = default)
    {
        await using var download = await GetAsync(container, path, cancellationToken).ConfigureAwait(false);
        if (download is null)
        {
            return null;
        }

        return await BinaryData.FromStreamAsync(download.Content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes UTF-8 text.</summary>
    public Task<BlobWriteResult> PutTextAsync(string container, string path, string text, BlobPutOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(container, path, BinaryData.FromBytes(Encoding.UTF8.GetBytes(text)), options, cancellationToken);
}

/// <summary>Helpers shared by the implementations.</summary>
internal static class BlobStoreExtensions
{
    public static async IAsyncEnumerable<T> AsAsync<T>(this IEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
