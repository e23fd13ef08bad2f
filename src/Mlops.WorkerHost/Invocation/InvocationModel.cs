using Mlops.WorkerHost.Configuration;

namespace Mlops.WorkerHost.Invocation;

/// <summary>One invocation to run in the worker: the trigger value first, then other inputs, and the trigger metadata.</summary>
internal sealed record FunctionInvocation(
    FunctionDefinition Function,
    string InvocationId,
    IReadOnlyList<KeyValuePair<string, BindingValue?>> Inputs,
    IReadOnlyDictionary<string, BindingValue> TriggerMetadata)
{
    /// <summary>Retry attempt (0 = first) and the limit, when a trigger retries (sent as RetryContext).</summary>
    public (int Count, int Max)? Retry { get; init; }
}

/// <summary>The worker's answer: outputs by binding name, the return value, or a failure in the real host's message shape.</summary>
internal sealed record InvocationResult(
    bool Succeeded,
    IReadOnlyDictionary<string, BindingValue?> Outputs,
    BindingValue? ReturnValue,
    string? Failure)
{
    public static InvocationResult Failed(string failure) => new(false, new Dictionary<string, BindingValue?>(), null, failure);
}

/// <summary>The worker went away (crashed, restarted, stopped) before answering: an infrastructure failure, retryable.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);
