namespace Mlops.Storage;

/// <summary>
/// A store of tables of <see cref="TableRow"/>s: the primitive every metadata write is built on. Conditional writes
/// report their outcome as a <see cref="TableWriteStatus"/> instead of throwing, because conflicts are how idempotent
/// and optimistic writes are meant to work. Tables are created on first use.
/// Implementations: <see cref="AzureTableStore"/> (Azure Table storage, Azurite) and <see cref="InMemoryTableStore"/>.
/// </summary>
public abstract class TableStore
{
    /// <summary>The row, or null when it does not exist.</summary>
    public abstract Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default);

    /// <summary>Inserts the row unless one with its keys exists; then returns <see cref="TableWriteStatus.Conflict"/> and changes nothing.</summary>
    public abstract Task<TableWriteResult> InsertIfAbsentAsync(string table, TableRow row, CancellationToken cancellationToken = default);

    /// <summary>Replaces the row if its ETag is still <paramref name="etag"/>; otherwise <see cref="TableWriteStatus.PreconditionFailed"/> (or <see cref="TableWriteStatus.NotFound"/>).</summary>
    public abstract Task<TableWriteResult> ReplaceIfMatchAsync(string table, TableRow row, string etag, CancellationToken cancellationToken = default);

    /// <summary>Inserts or overwrites the row, unconditionally.</summary>
    public abstract Task<TableWriteResult> UpsertAsync(string table, TableRow row, UpsertMode mode = UpsertMode.Replace, CancellationToken cancellationToken = default);

    /// <summary>Deletes the row (only if its ETag is still <paramref name="etag"/>, when given).</summary>
    public abstract Task<TableWriteResult> DeleteAsync(string table, string partitionKey, string rowKey, string? etag = null, CancellationToken cancellationToken = default);

    /// <summary>The rows of one partition, in ordinal row-key order, optionally only those in <paramref name="range"/>; fetched page by page.</summary>
    public abstract IAsyncEnumerable<TableRow> QueryAsync(string table, string partitionKey, RowKeyRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs up to 100 operations on one partition atomically (an Azure table transaction): all happen or none does.
    /// A failed condition is reported in the result; a malformed batch (mixed partitions, a row twice) throws <see cref="ArgumentException"/>.
    /// </summary>
    public abstract Task<TableBatchResult> SubmitBatchAsync(string table, IReadOnlyList<TableOperation> operations, CancellationToken cancellationToken = default);
}
