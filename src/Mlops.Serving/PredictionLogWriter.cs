using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Catalog.Monitoring;
using Mlops.Modeling.Serving;

namespace Mlops.Serving;

/// <summary>What one request asks to log: its inputs, predictions and ids, turned into records in the background.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">The version that answered.</param>
/// <param name="Time">When it answered.</param>
/// <param name="Input">The request's rows.</param>
/// <param name="Predictions">One per row.</param>
/// <param name="PredictionIds">One per row.</param>
public sealed record PredictionLogEntry(string Model, int Version, DateTimeOffset Time, ScoringInput Input, IReadOnlyList<Prediction> Predictions, IReadOnlyList<string> PredictionIds);

/// <summary>
/// Writes served predictions to the append-only <see cref="PredictionLog"/> off the request path: requests enqueue into a
/// bounded channel and return; one background loop turns entries into <see cref="PredictionRecord"/>s (one per row) and
/// appends them in batches of up to <see cref="ServingOptions.LogBatchSize"/> records or
/// <see cref="ServingOptions.LogMaxDelay"/>, whichever comes first. Nothing is lost silently: when the queue stays full
/// for <see cref="ServingOptions.LogEnqueueTimeout"/>, or storage keeps failing, the records are counted
/// (<see cref="Dropped"/>, <see cref="Failed"/>) and logged as errors. Dispose (the DI container does, on shutdown) to drain.
/// </summary>
public sealed partial class PredictionLogWriter : IAsyncDisposable
{
    private readonly PredictionLog _log;
    private readonly ServingOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<object> _queue;
    private readonly Task _loop;
    private long _accepted;
    private long _written;
    private long _dropped;
    private long _failed;

    /// <summary>Starts the background loop.</summary>
    public PredictionLogWriter(PredictionLog log, ServingOptions? options = null, ILogger<PredictionLogWriter>? logger = null)
    {
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _options = options ?? new ServingOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(_options.LogQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(DrainAsync);
    }

    /// <summary>Records accepted into the queue.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Records appended to the log.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records not accepted because the queue stayed full (logged as errors).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records accepted but not written because storage kept failing (logged as errors).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Queues an entry. Returns at once when there is room; otherwise waits up to
    /// <see cref="ServingOptions.LogEnqueueTimeout"/>, then counts the rows as dropped and returns false.
    /// </summary>
    public async ValueTask<bool> EnqueueAsync(PredictionLogEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var rows = entry.PredictionIds.Count;
        if (_queue.Writer.TryWrite(entry))
        {
            Interlocked.Add(ref _accepted, rows);
            return true;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.LogEnqueueTimeout);
        try
        {
            await _queue.Writer.WriteAsync(entry, timeout.Token).ConfigureAwait(false);
            Interlocked.Add(ref _accepted, rows);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            Interlocked.Add(ref _dropped, rows);
            LogDropped(_logger, rows, entry.Model, entry.Version, Dropped);
            return false;
        }
    }

    /// <summary>Returns once every record accepted before the call has been written (or counted as failed).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var marker = new FlushMarker();
        await _queue.Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
        await marker.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting, writes everything queued, and ends the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PredictionRecord>(_options.LogBatchSize);
        var waiters = new List<FlushMarker>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Collect until the batch is full, a flush is asked for, or the oldest record has waited LogMaxDelay.
            using var delay = new CancellationTokenSource(_options.LogMaxDelay);
            while (batch.Count < _options.LogBatchSize && waiters.Count == 0)
            {
                if (reader.TryRead(out var item))
                {
                    Take(item, batch, waiters);
                    continue;
                }

                try
                {
                    if (!await reader.WaitToReadAsync(delay.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
            foreach (var waiter in waiters)
            {
                waiter.Done.TrySetResult();
            }

            waiters.Clear();
        }

        await WriteAsync(batch).ConfigureAwait(false);
    }

    private static void Take(object item, List<PredictionRecord> batch, List<FlushMarker> waiters)
    {
        if (item is FlushMarker marker)
        {
            waiters.Add(marker);
            return;
        }

        var entry = (PredictionLogEntry)item;
        for (var i = 0; i < entry.PredictionIds.Count; i++)
        {
            batch.Add(new PredictionRecord(entry.PredictionIds[i], entry.Model, entry.Version, entry.Time, entry.Input.RowAt(i), OutputOf(entry.Predictions[i])));
        }
    }

    /// <summary>The logged output of a row: the same JSON the caller received for it.</summary>
    internal static JsonElement OutputOf(Prediction prediction) =>
        JsonSerializer.SerializeToElement(PredictionService.ToResponseValue(prediction), ServingJson.Options);

    private async Task WriteAsync(List<PredictionRecord> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _log.AppendAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                return;
            }
            catch (Exception e) when (attempt < _options.LogWriteAttempts)
            {
                LogRetry(_logger, batch.Count, attempt, e);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Appends are not transactional: part of the batch may be in the log; count all of it as failed.
                Interlocked.Add(ref _failed, batch.Count);
                LogFailed(_logger, batch.Count, attempt, Failed, e);
                return;
            }
        }
    }

    private sealed class FlushMarker
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Error, Message = "Prediction log queue full: {Rows} records of {Model} v{Version} dropped ({TotalDropped} in all)")]
    private static partial void LogDropped(ILogger logger, int rows, string model, int version, long totalDropped);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Prediction log append of {Rows} records failed (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger logger, int rows, int attempt, Exception exception);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Error, Message = "Prediction log append of {Rows} records failed after {Attempts} attempts; counted as failed ({TotalFailed} in all)")]
    private static partial void LogFailed(ILogger logger, int rows, int attempts, long totalFailed, Exception exception);
}
