using Mlops.Core.Errors;
using Mlops.Storage;

namespace Mlops.Catalog.Internal;

/// <summary>
/// Allocates gapless, monotonic numbers in one partition with optimistic concurrency: a counter row is advanced
/// (insert when absent, replace-if-match otherwise) in the same atomic batch that inserts the rows the new number
/// names. Either everything is written or nothing is, so a number is never skipped nor given twice; on a lost race
/// the caller's idempotency check runs again before the next attempt. Numbers are never found by counting rows.
/// </summary>
internal static class NumberAllocator
{
    private const int MaxAttempts = 60;

    /// <param name="store">The table store.</param>
    /// <param name="table">The table holding the counter and the rows.</param>
    /// <param name="partition">The partition (one sequence per partition).</param>
    /// <param name="existing">
    /// Given the current counter row (or null), returns the result to hand back when the work is already done
    /// (idempotency), or null to allocate.
    /// </param>
    /// <param name="rowsFor">The rows to insert together with number n (all in <paramref name="partition"/>).</param>
    /// <param name="created">The result for a freshly allocated number.</param>
    /// <param name="cancellationToken">Cancels between attempts.</param>
    public static async Task<T> AllocateAsync<T>(
        TableStore store,
        string table,
        string partition,
        Func<TableRow?, CancellationToken, Task<T?>> existing,
        Func<long, IReadOnlyList<TableOperation>> rowsFor,
        Func<long, T> created,
        CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var counter = await store.GetAsync(table, partition, CatalogLayout.CounterRow, cancellationToken).ConfigureAwait(false);
            if (await existing(counter, cancellationToken).ConfigureAwait(false) is { } done)
            {
                return done;
            }

            var next = (counter?.GetInt64("Last") ?? 0) + 1;
            var counterRow = new TableRow(partition, CatalogLayout.CounterRow).Set("Last", next);
            var operations = new List<TableOperation>
            {
                counter is null ? TableOperation.Insert(counterRow) : TableOperation.Replace(counterRow, counter.ETag),
            };
            operations.AddRange(rowsFor(next));

            var result = await store.SubmitBatchAsync(table, operations, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return created(next);
            }

            if (result.Status is not (TableWriteStatus.Conflict or TableWriteStatus.PreconditionFailed))
            {
                throw new MlopsException(ErrorCode.Internal, $"Allocating a number in '{table}/{partition}' failed with {result.Status}.");
            }

            // Lost a race: back off a little (growing, with jitter) so contenders spread out.
            var delay = Random.Shared.Next(1, Math.Min(10 + (attempt * 10), 200));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        throw new MlopsException(ErrorCode.Conflict, $"Could not allocate a number in '{table}/{partition}' after {MaxAttempts} attempts under contention; retry.");
    }
}
