using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Mlops.LocalHost.Storage;

/// <summary>Blob, queue and table clients for one connection string (Azurite or Azure); clients are cached, they are thread-safe.</summary>
internal sealed class StorageAccount
{
    private readonly Dictionary<string, QueueClient> _queues = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public StorageAccount(string connectionString)
    {
        ConnectionString = connectionString;
        Blobs = new BlobServiceClient(connectionString);
        Queues = new QueueServiceClient(connectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Tables = new TableServiceClient(connectionString);
    }

    public string ConnectionString { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    public TableServiceClient Tables { get; }

    public QueueClient Queue(string name)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(name, out var q))
            {
                q = Queues.GetQueueClient(name);
                _queues[name] = q;
            }

            return q;
        }
    }
}
