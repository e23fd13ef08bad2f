using System.Text.Json;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Durable;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.DurableHosting;

/// <summary>
/// The seam to the Durable engine: runs orchestrator episodes and activities as worker invocations (spec §5.5, §5.6).
/// A function that ran and failed is a <see cref="DurableFunctionException"/>; a lost worker is an infrastructure failure.
/// </summary>
internal sealed class WorkerDurableInvoker(InvocationDispatcher dispatcher) : IDurableFunctionInvoker
{
    private const string Reason = "This function was programmatically called via the host APIs.";
    private volatile IReadOnlyDictionary<string, FunctionDefinition> _functions = new Dictionary<string, FunctionDefinition>();

    /// <summary>The functions to dispatch to (set once indexed; names are case-insensitive like Durable's).</summary>
    public IReadOnlyList<FunctionDefinition> Functions
    {
        set => _functions = value.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    public static bool IsDurable(FunctionDefinition f) => f.HasTrigger("orchestrationTrigger") || f.HasTrigger("activityTrigger") || f.HasTrigger("entityTrigger");

    public bool IsOrchestrator(string functionName) => _functions.TryGetValue(functionName, out var f) && f.HasTrigger("orchestrationTrigger");

    public bool IsActivity(string functionName) => _functions.TryGetValue(functionName, out var f) && f.HasTrigger("activityTrigger");

    public async Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken)
    {
        var function = _functions[functionName];
        var result = await dispatcher.InvokeAsync(
            Invocation(function, new BindingValue.Text(encodedRequest), new Dictionary<string, BindingValue>()), Reason, cancellationToken).ConfigureAwait(false);

        // The worker answers Success even for failed orchestrations (the failure is an action); a failed invocation
        // fails the orchestration, as the real extension does.
        if (!result.Succeeded)
        {
            throw new DurableFunctionException(result.Failure ?? "Result: Failure\nException: \nStack: ");
        }

        if (result.ReturnValue?.AsText() is not { Length: > 0 } response)
        {
            throw new InvalidOperationException($"orchestrator '{functionName}' ({instanceId}) returned no OrchestratorResponse.");
        }

        return response;
    }

    public async Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken)
    {
        var function = _functions[functionName];
        var trigger = function.Trigger!;
        var metadata = new Dictionary<string, BindingValue>(StringComparer.OrdinalIgnoreCase)
        {
            // The worker casts instanceId directly to string: it must be string TypedData (spec §8.10).
            ["instanceId"] = new BindingValue.Text(instanceId),
            ["data"] = new BindingValue.Json(inputJson ?? "null"),
        };
        if (inputJson is not null)
        {
            metadata[trigger.Name] = new BindingValue.Text(inputJson);
        }

        var value = inputJson is null ? null : new BindingValue.Text(inputJson);
        var result = await dispatcher.InvokeAsync(Invocation(function, value, metadata), Reason, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new DurableFunctionException(result.Failure ?? "Result: Failure\nException: \nStack: ");
        }

        return result.ReturnValue switch
        {
            null => null,

            // A string result is stored JSON-encoded in history (TaskCompletedEvent.Result).
            BindingValue.Text t => JsonSerializer.Serialize(t.Value),
            BindingValue.Json j => j.Value,
            var other => JsonSerializer.Serialize(other.AsText()),
        };
    }

    private static FunctionInvocation Invocation(FunctionDefinition function, BindingValue? trigger, IReadOnlyDictionary<string, BindingValue> metadata) =>
        new(function, Guid.NewGuid().ToString(), [new(function.Trigger!.Name, trigger)], metadata);
}
