using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Mlops.WorkerHost.Configuration;

namespace Mlops.WorkerHost.Storage;

/// <summary>Blob and queue clients per connection setting, built once (queue clients send base64, the extension's default).</summary>
internal sealed class StorageClients(AppSettings settings)
{
    private readonly ConcurrentDictionary<string, BlobServiceClient> _blobs = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, QueueServiceClient> _queues = new(StringComparer.OrdinalIgnoreCase);

    public BlobServiceClient Blobs(string? connection) =>
        _blobs.GetOrAdd(connection ?? "", c => new BlobServiceClient(settings.StorageConnection(c)));

    /// <summary>Queue clients that write base64 (the Functions default encoding); reads are decoded by the listener.</summary>
    public QueueClient Queue(string? connection, string name) =>
        _queues.GetOrAdd(connection ?? "", c => new QueueServiceClient(settings.StorageConnection(c), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }))
            .GetQueueClient(name);

    /// <summary>A client that reads the raw message text, so the listener can accept both base64 and plain messages.</summary>
    public QueueClient RawQueue(string? connection, string name) =>
        new QueueServiceClient(settings.StorageConnection(connection ?? "")).GetQueueClient(name);
}
