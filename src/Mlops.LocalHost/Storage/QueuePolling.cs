using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Mlops.LocalHost.Storage;

/// <summary>A received queue message this host holds: its pop receipt changes each time the lease is renewed.</summary>
internal sealed class LeasedMessage(QueueClient queue, QueueMessage message)
{
    private readonly Lock _gate = new();

    public QueueClient Queue { get; } = queue;

    public QueueMessage Message { get; } = message;

    public string PopReceipt { get; private set; } = message.PopReceipt;

    public DateTime LastRenewed { get; private set; } = DateTime.UtcNow;

    public bool Finished { get; private set; }

    public long DequeueCount => Message.DequeueCount;

    /// <summary>Extends the invisibility; false when the message is gone (deleted, or its lease lapsed and someone else took it).</summary>
    public async Task<bool> RenewAsync(TimeSpan lease, CancellationToken cancellationToken)
    {
        string receipt;
        lock (_gate)
        {
            if (Finished)
            {
                return false;
            }

            receipt = PopReceipt;
        }

        try
        {
            var r = await Queue.UpdateMessageAsync(Message.MessageId, receipt, visibilityTimeout: lease, cancellationToken: cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (PopReceipt == receipt)
                {
                    PopReceipt = r.Value.PopReceipt;
                    LastRenewed = DateTime.UtcNow;
                }
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            return false;
        }
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        string receipt;
        lock (_gate)
        {
            if (Finished)
            {
                return;
            }

            Finished = true;
            receipt = PopReceipt;
        }

        try
        {
            await Queue.DeleteMessageAsync(Message.MessageId, receipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            // Gone already, or our lease lapsed: another receiver owns it now.
        }
    }

    /// <summary>Makes the message visible again after <paramref name="delay"/> (a retry).</summary>
    public async Task ReleaseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        string receipt;
        lock (_gate)
        {
            if (Finished)
            {
                return;
            }

            Finished = true;
            receipt = PopReceipt;
        }

        try
        {
            await Queue.UpdateMessageAsync(Message.MessageId, receipt, visibilityTimeout: delay, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
        }
    }
}

/// <summary>Keeps every held message invisible while work on it goes on, so a long activity is not handed to a second host.</summary>
internal sealed class MessageLeaseKeeper(TimeSpan lease) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<LeasedMessage, byte> _held = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public TimeSpan Lease { get; } = lease;

    public void Start() => _loop = Task.Run(LoopAsync);

    public void Hold(LeasedMessage message) => _held.TryAdd(message, 0);

    public void Forget(LeasedMessage message) => _held.TryRemove(message, out _);

    private async Task LoopAsync()
    {
        var period = TimeSpan.FromTicks(Lease.Ticks / 3);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var due = _held.Keys.Where(m => !m.Finished && DateTime.UtcNow - m.LastRenewed > period).ToList();
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) =>
            {
                try
                {
                    if (!await m.RenewAsync(Lease, ct).ConfigureAwait(false))
                    {
                        _held.TryRemove(m, out _);
                    }
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Storage hiccup: the next round tries again, the lease still has two thirds left.
                }
            }).ConfigureAwait(false);
            foreach (var m in _held.Keys.Where(m => m.Finished))
            {
                _held.TryRemove(m, out _);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}

/// <summary>
/// Polls one queue with exponential back-off while it is idle (down to zero delay while messages flow), runs up to
/// <c>maxConcurrency</c> handlers at once, and can be woken early by <see cref="Signal"/> when this host just enqueued work.
/// </summary>
internal sealed class QueuePoller : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly Func<LeasedMessage, CancellationToken, Task> _handle;
    private readonly MessageLeaseKeeper _leases;
    private readonly TimeSpan _maxInterval;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<Exception> _onError;
    private readonly int _maxConcurrency;
    private Task? _loop;
    private int _running;

    public QueuePoller(QueueClient queue, MessageLeaseKeeper leases, TimeSpan maxInterval, int maxConcurrency,
        Func<LeasedMessage, CancellationToken, Task> handle, Action<Exception> onError)
    {
        _queue = queue;
        _leases = leases;
        _maxInterval = maxInterval;
        _maxConcurrency = maxConcurrency;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _handle = handle;
        _onError = onError;
    }

    public QueueClient Queue => _queue;

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>Poll now instead of waiting out the back-off.</summary>
    public void Signal()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task LoopAsync()
    {
        var delay = TimeSpan.Zero;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
                var free = 1 + _slots.CurrentCount;
                var batch = Math.Min(32, free);
                QueueMessage[] messages;
                try
                {
                    messages = (await _queue.ReceiveMessagesAsync(batch, _leases.Lease, token).ConfigureAwait(false)).Value;
                }
                finally
                {
                    _slots.Release();
                }

                if (messages.Length == 0)
                {
                    delay = delay == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxInterval.Ticks));
                    await _wake.WaitAsync(delay, token).ConfigureAwait(false);
                    continue;
                }

                delay = TimeSpan.Zero;
                foreach (var m in messages)
                {
                    await _slots.WaitAsync(token).ConfigureAwait(false);
                    var leased = new LeasedMessage(_queue, m);
                    _leases.Hold(leased);
                    Interlocked.Increment(ref _running);
                    _ = RunAsync(leased, token);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _onError(ex);
                try
                {
                    await Task.Delay(_maxInterval, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RunAsync(LeasedMessage message, CancellationToken token)
    {
        try
        {
            await _handle(message, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _onError(ex);
        }
        finally
        {
            _slots.Release();
            Interlocked.Decrement(ref _running);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        // Let running handlers observe the cancellation and finish.
        for (var i = 0; i < _maxConcurrency; i++)
        {
            await _slots.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
