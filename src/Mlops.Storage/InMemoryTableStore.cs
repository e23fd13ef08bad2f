using System.Globalization;
using System.Runtime.CompilerServices;

namespace Mlops.Storage;

/// <summary>
/// A <see cref="TableStore"/> in process memory with Azure's semantics (conditions, batches, ordering, naming rules),
/// for unit tests and single-process runs. Thread-safe; every operation is atomic under one lock.
/// </summary>
public sealed class InMemoryTableStore : TableStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<(string Pk, string Rk), TableRow>> _tables = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _etagCounter;

    /// <summary>Creates an empty store.</summary>
    public InMemoryTableStore(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public override Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        StorageNames.RequireTable(table);
        StorageNames.RequireKey(partitionKey, nameof(partitionKey));
        StorageNames.RequireKey(rowKey, nameof(rowKey));
        lock (_gate)
        {
            return Task.FromResult(Table(table).TryGetValue((partitionKey, rowKey), out var row) ? Copy(row) : null);
        }
    }

    /// <inheritdoc />
    public override Task<TableWriteResult> InsertIfAbsentAsync(string table, TableRow row, CancellationToken cancellationToken = default) =>
        Single(table, TableOperation.Insert(row));

    /// <inheritdoc />
    public override Task<TableWriteResult> ReplaceIfMatchAsync(string table, TableRow row, string etag, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return Single(table, TableOperation.Replace(row, etag));
    }

    /// <inheritdoc />
    public override Task<TableWriteResult> UpsertAsync(string table, TableRow row, UpsertMode mode = UpsertMode.Replace, CancellationToken cancellationToken = default) =>
        Single(table, TableOperation.Upsert(row, mode));

    /// <inheritdoc />
    public override Task<TableWriteResult> DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default) =>
        Single(table, TableOperation.Delete(partitionKey, rowKey, etag));

    /// <inheritdoc />
    public override async IAsyncEnumerable<TableRow> QueryAsync(string table, string partitionKey, RowKeyRange? range = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageNames.RequireTable(table);
        StorageNames.RequireKey(partitionKey, nameof(partitionKey));
        List<TableRow> snapshot;
        lock (_gate)
        {
            snapshot = Table(table)
                .Where(kv => kv.Key.Pk == partitionKey && (range is null || range.Contains(kv.Key.Rk)))
                .Select(kv => Copy(kv.Value))
                .ToList();
        }

        foreach (var row in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<TableBatchResult> SubmitBatchAsync(string table, IReadOnlyList<TableOperation> operations, CancellationToken cancellationToken = default)
    {
        StorageNames.RequireTable(table);
        StorageNames.RequireBatch(operations);
        lock (_gate)
        {
            var rows = Table(table);
            // Check every condition against the current state first; write only when all hold (atomicity).
            for (var i = 0; i < operations.Count; i++)
            {
                var status = Check(rows, operations[i]);
                if (status != TableWriteStatus.Ok)
                {
                    return Task.FromResult(new TableBatchResult(status, i, []));
                }
            }

            var etags = operations.Select(op => Apply(rows, op)).ToList();
            return Task.FromResult(new TableBatchResult(TableWriteStatus.Ok, null, etags));
        }
    }

    private Task<TableWriteResult> Single(string table, TableOperation operation)
    {
        StorageNames.RequireTable(table);
        StorageNames.RequireBatch([operation]);
        lock (_gate)
        {
            var rows = Table(table);
            var status = Check(rows, operation);
            return Task.FromResult(status == TableWriteStatus.Ok ? new TableWriteResult(status, Apply(rows, operation)) : new TableWriteResult(status, null));
        }
    }

    private static TableWriteStatus Check(SortedDictionary<(string Pk, string Rk), TableRow> rows, TableOperation op)
    {
        var exists = rows.TryGetValue((op.Row.PartitionKey, op.Row.RowKey), out var current);
        return op.Kind switch
        {
            TableOperationKind.Insert => exists ? TableWriteStatus.Conflict : TableWriteStatus.Ok,
            TableOperationKind.Upsert => TableWriteStatus.Ok,
            TableOperationKind.Replace or TableOperationKind.Delete when !exists => TableWriteStatus.NotFound,
            TableOperationKind.Replace or TableOperationKind.Delete when op.IfMatch is { } etag && etag != "*" && etag != current!.ETag => TableWriteStatus.PreconditionFailed,
            _ => TableWriteStatus.Ok,
        };
    }

    private string? Apply(SortedDictionary<(string Pk, string Rk), TableRow> rows, TableOperation op)
    {
        var key = (op.Row.PartitionKey, op.Row.RowKey);
        if (op.Kind == TableOperationKind.Delete)
        {
            rows.Remove(key);
            return null;
        }

        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        if (op.Kind == TableOperationKind.Upsert && op.Mode == UpsertMode.Merge && rows.TryGetValue(key, out var existing))
        {
            foreach (var (name, value) in existing.Properties)
            {
                properties[name] = value;
            }
        }

        foreach (var (name, value) in op.Row.Properties)
        {
            properties[name] = value;
        }

        var now = _time.GetUtcNow();
        var etag = string.Create(CultureInfo.InvariantCulture, $"W/\"mem-{++_etagCounter}\"");
        rows[key] = new TableRow(op.Row.PartitionKey, op.Row.RowKey, properties, etag, now);
        return etag;
    }

    private SortedDictionary<(string Pk, string Rk), TableRow> Table(string table)
    {
        // Azure table names are case-insensitive.
        var name = table.ToLowerInvariant();
        if (!_tables.TryGetValue(name, out var rows))
        {
            rows = new SortedDictionary<(string Pk, string Rk), TableRow>(KeyComparer.Instance);
            _tables[name] = rows;
        }

        return rows;
    }

    private static TableRow Copy(TableRow row) => new(row.PartitionKey, row.RowKey, row.Properties, row.ETag, row.Timestamp);

    private sealed class KeyComparer : IComparer<(string Pk, string Rk)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((string Pk, string Rk) x, (string Pk, string Rk) y)
        {
            var c = string.CompareOrdinal(x.Pk, y.Pk);
            return c != 0 ? c : string.CompareOrdinal(x.Rk, y.Rk);
        }
    }
}
