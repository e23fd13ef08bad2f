namespace Mlops.Serving;

/// <summary>Limits and timings of the serving services. The defaults suit a Functions instance with a few models.</summary>
public sealed record ServingOptions
{
    /// <summary>Largest request body accepted, in bytes (larger: <c>TooLarge</c>, 413). Default 16 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most rows in one request (rule <c>max-batch</c>). Default 10,000.</summary>
    public int MaxBatchRows { get; init; } = 10_000;

    /// <summary>How long an alias → version lookup is reused before the registry is asked again. Default 2 s.</summary>
    public TimeSpan AliasTtl { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many model versions stay loaded; the least recently used beyond this are dropped (never disposed under a caller). Default 8.</summary>
    public int MaxLoadedVersions { get; init; } = 8;

    /// <summary>Prediction-log queue capacity, in requests (batches of rows). Default 10,000.</summary>
    public int LogQueueCapacity { get; init; } = 10_000;

    /// <summary>Most records written to the prediction log in one append. Default 500.</summary>
    public int LogBatchSize { get; init; } = 500;

    /// <summary>Longest a logged prediction waits for its batch to fill before it is written. Default 1 s.</summary>
    public TimeSpan LogMaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a request waits for room in a full log queue before its records are counted as dropped. Default 100 ms.</summary>
    public TimeSpan LogEnqueueTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Attempts to append one batch to the log before its records are counted as failed. Default 3.</summary>
    public int LogWriteAttempts { get; init; } = 3;
}
