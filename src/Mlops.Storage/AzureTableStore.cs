using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace Mlops.Storage;

/// <summary>A <see cref="TableStore"/> on Azure Table storage (or Azurite). Tables are created on first use, once per process.</summary>
public sealed class AzureTableStore : TableStore
{
    private readonly TableServiceClient _service;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Wraps a service client (built from a connection string or a token credential).</summary>
    public AzureTableStore(TableServiceClient service) => _service = service;

    /// <inheritdoc />
    public override async Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        StorageNames.RequireKey(partitionKey, nameof(partitionKey));
        StorageNames.RequireKey(rowKey, nameof(rowKey));
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        var response = await client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? ToRow(response.Value!) : null;
    }

    /// <inheritdoc />
    public override async Task<TableWriteResult> InsertIfAbsentAsync(string table, TableRow row, CancellationToken cancellationToken = default)
    {
        row.Validate();
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        return await Guarded(async () => (await client.AddEntityAsync(ToEntity(row), cancellationToken).ConfigureAwait(false)).Headers.ETag).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<TableWriteResult> ReplaceIfMatchAsync(string table, TableRow row, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        row.Validate();
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        return await Guarded(async () => (await client.UpdateEntityAsync(ToEntity(row), new ETag(etag), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)).Headers.ETag).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<TableWriteResult> UpsertAsync(string table, TableRow row, UpsertMode mode = UpsertMode.Replace, CancellationToken cancellationToken = default)
    {
        row.Validate();
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        return await Guarded(async () => (await client.UpsertEntityAsync(ToEntity(row), ToMode(mode), cancellationToken).ConfigureAwait(false)).Headers.ETag).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<TableWriteResult> DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default)
    {
        StorageNames.RequireKey(partitionKey, nameof(partitionKey));
        StorageNames.RequireKey(rowKey, nameof(rowKey));
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await client.DeleteEntityAsync(partitionKey, rowKey, etag is null ? ETag.All : new ETag(etag), cancellationToken).ConfigureAwait(false);
            // The SDK treats a 404 on delete as success; report it.
            return new TableWriteResult(response.Status == 404 ? TableWriteStatus.NotFound : TableWriteStatus.Ok, null);
        }
        catch (RequestFailedException ex) when (StatusOf(ex.Status) is { } status)
        {
            return new TableWriteResult(status, null);
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<TableRow> QueryAsync(string table, string partitionKey, RowKeyRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.RequireKey(partitionKey, nameof(partitionKey));
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        if (range?.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {from}");
        }

        if (range?.Before is { } before)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {before}");
        }

        await foreach (var entity in client.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return ToRow(entity);
        }
    }

    /// <inheritdoc />
    public override async Task<TableBatchResult> SubmitBatchAsync(string table, IReadOnlyList<TableOperation> operations, CancellationToken cancellationToken = default)
    {
        StorageNames.RequireBatch(operations);
        var client = await ClientAsync(table, cancellationToken).ConfigureAwait(false);
        var actions = operations.Select(ToAction).ToList();
        try
        {
            var response = await client.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            var etags = response.Value.Select((r, i) => operations[i].Kind == TableOperationKind.Delete ? null : r.Headers.ETag?.ToString()).ToList();
            return new TableBatchResult(TableWriteStatus.Ok, null, etags);
        }
        catch (TableTransactionFailedException ex) when (StatusOf(ex.Status) is { } status)
        {
            return new TableBatchResult(status, ex.FailedTransactionActionIndex, []);
        }
    }

    private static TableTransactionAction ToAction(TableOperation op) => op.Kind switch
    {
        TableOperationKind.Insert => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(op.Row)),
        // Without an ETag a replace must still fail on a missing row (as the in-memory store does): "*" means "exists".
        TableOperationKind.Replace => new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(op.Row), op.IfMatch is null ? ETag.All : new ETag(op.IfMatch)),
        TableOperationKind.Upsert => new TableTransactionAction(op.Mode == UpsertMode.Merge ? TableTransactionActionType.UpsertMerge : TableTransactionActionType.UpsertReplace, ToEntity(op.Row)),
        TableOperationKind.Delete => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(op.Row.PartitionKey, op.Row.RowKey), op.IfMatch is null ? ETag.All : new ETag(op.IfMatch)),
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static async Task<TableWriteResult> Guarded(Func<Task<ETag?>> write)
    {
        try
        {
            var etag = await write().ConfigureAwait(false);
            return new TableWriteResult(TableWriteStatus.Ok, etag?.ToString());
        }
        catch (RequestFailedException ex) when (StatusOf(ex.Status) is { } status)
        {
            return new TableWriteResult(status, null);
        }
    }

    private static TableWriteStatus? StatusOf(int httpStatus) => httpStatus switch
    {
        409 => TableWriteStatus.Conflict,
        412 => TableWriteStatus.PreconditionFailed,
        404 => TableWriteStatus.NotFound,
        _ => null,
    };

    private static TableUpdateMode ToMode(UpsertMode mode) => mode == UpsertMode.Merge ? TableUpdateMode.Merge : TableUpdateMode.Replace;

    private async Task<TableClient> ClientAsync(string table, CancellationToken cancellationToken)
    {
        StorageNames.RequireTable(table);
        var lazy = _tables.GetOrAdd(table, name => new Lazy<Task<TableClient>>(() => CreateAsync(name)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Do not cache a failed creation: the next call tries again.
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(table, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string table)
    {
        var client = _service.GetTableClient(table);
        await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        return client;
    }

    private static TableEntity ToEntity(TableRow row)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Properties)
        {
            entity[name] = value;
        }

        return entity;
    }

    private static TableRow ToRow(TableEntity entity)
    {
        var row = new TableRow(entity.PartitionKey, entity.RowKey, etag: entity.ETag.ToString(), timestamp: entity.Timestamp);
        foreach (var (name, value) in entity)
        {
            if (value is null || name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal))
            {
                continue;
            }

            row.Properties[name] = value switch
            {
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                _ => value,
            };
        }

        return row;
    }
}
