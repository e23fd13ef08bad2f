namespace Mlops.WorkerHost.Durable;

/// <summary>
/// Runs orchestrator and activity functions in the worker. Implemented by the host core over its gRPC channel to
/// the isolated worker; the engine calls it from DTFx's dispatcher middleware.
/// </summary>
public interface IDurableFunctionInvoker
{
    /// <summary>Whether the app has an <c>orchestrationTrigger</c> function of that name.</summary>
    bool IsOrchestrator(string functionName);

    /// <summary>Whether the app has an <c>activityTrigger</c> function of that name.</summary>
    bool IsActivity(string functionName);

    /// <summary>
    /// Invokes an orchestrator function with one episode. <paramref name="encodedRequest"/> is the trigger value:
    /// a base64 <c>OrchestratorRequest</c>; the result is the worker's return value, a base64 <c>OrchestratorResponse</c>
    /// (an orchestration that failed is still a successful invocation: its failure is in the response's actions).
    /// <see cref="DurableFunctionException"/> (the invocation itself failed) fails the orchestration, as the real
    /// extension does; any other exception is an infrastructure failure: the work item is abandoned and DTFx runs the
    /// episode again.
    /// </summary>
    Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken);

    /// <summary>
    /// Invokes an activity function. <paramref name="inputJson"/> is the input JSON already unwrapped from DTFx's
    /// one-element array (null = none); the result is the output as JSON text (null = none).
    /// When the function ran and failed, throw <see cref="DurableFunctionException"/> (its message in the
    /// <c>Result: …\nException: …\nStack: …</c> shape); any other exception is an infrastructure failure and
    /// the work item is abandoned so that DTFx retries it.
    /// </summary>
    Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken);
}
