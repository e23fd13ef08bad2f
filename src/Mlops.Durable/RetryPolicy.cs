namespace Mlops.Durable;

/// <summary>
/// How a failed activity or sub-orchestration is retried. Waits between attempts are durable timers,
/// so a retry survives process restarts and costs nothing while waiting.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="maxNumberOfAttempts">Total attempts including the first one; at least 1.</param>
    /// <param name="firstRetryInterval">Wait before the second attempt; greater than zero.</param>
    /// <param name="backoffCoefficient">Multiplier applied to the wait after each retry; at least 1.</param>
    /// <param name="maxRetryInterval">Upper bound of a single wait; null means no bound.</param>
    /// <param name="retryTimeout">Stop retrying once this much orchestration time has passed since the first attempt; null means no limit.</param>
    public RetryPolicy(int maxNumberOfAttempts, TimeSpan firstRetryInterval, double backoffCoefficient = 1, TimeSpan? maxRetryInterval = null, TimeSpan? retryTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(firstRetryInterval, TimeSpan.Zero);
        if (!(backoffCoefficient >= 1) || double.IsInfinity(backoffCoefficient))
        {
            throw new ArgumentOutOfRangeException(nameof(backoffCoefficient), backoffCoefficient, "backoffCoefficient must be a finite number >= 1.");
        }

        if (maxRetryInterval is { } max && max < firstRetryInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRetryInterval), max, "maxRetryInterval must be >= firstRetryInterval.");
        }

        if (retryTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryTimeout), timeout, "retryTimeout must be greater than zero.");
        }

        this.MaxNumberOfAttempts = maxNumberOfAttempts;
        this.FirstRetryInterval = firstRetryInterval;
        this.BackoffCoefficient = backoffCoefficient;
        this.MaxRetryInterval = maxRetryInterval;
        this.RetryTimeout = retryTimeout;
    }

    /// <summary>Total attempts including the first one.</summary>
    public int MaxNumberOfAttempts { get; }

    /// <summary>Wait before the second attempt.</summary>
    public TimeSpan FirstRetryInterval { get; }

    /// <summary>Multiplier applied to the wait after each retry.</summary>
    public double BackoffCoefficient { get; }

    /// <summary>Upper bound of a single wait, if any.</summary>
    public TimeSpan? MaxRetryInterval { get; }

    /// <summary>Overall limit on retrying, in orchestration time, if any.</summary>
    public TimeSpan? RetryTimeout { get; }

    /// <summary>
    /// Decides whether a failure is worth retrying; null retries every failure that is not marked non-retriable.
    /// Must be deterministic: it runs during replay.
    /// </summary>
    public Func<TaskFailureDetails, bool>? Handle { get; init; }

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan GetRetryDelay(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        double ticks = this.FirstRetryInterval.Ticks * Math.Pow(this.BackoffCoefficient, attempt - 1);
        double cap = (this.MaxRetryInterval ?? TimeSpan.MaxValue).Ticks;
        return TimeSpan.FromTicks((long)Math.Min(ticks, cap));
    }

    internal bool ShouldRetry(TaskFailureDetails failure, int attemptsMade, TimeSpan elapsed) =>
        attemptsMade < this.MaxNumberOfAttempts
        && !failure.IsNonRetriable
        && (this.RetryTimeout is not { } timeout || elapsed + this.GetRetryDelay(attemptsMade) <= timeout)
        && (this.Handle?.Invoke(failure) ?? true);
}
