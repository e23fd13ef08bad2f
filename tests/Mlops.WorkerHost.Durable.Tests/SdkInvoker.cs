using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Grpc;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>
/// Plays the isolated worker in-process: orchestrators run through Microsoft's <see cref="GrpcOrchestrationRunner"/>
/// on the base64 request exactly as the worker does; activities are delegates whose exceptions are reported in the
/// worker's <c>Result/Exception/Stack</c> message shape.
/// </summary>
internal sealed class SdkInvoker : IDurableFunctionInvoker
{
    private readonly ConcurrentDictionary<string, ITaskOrchestrator> _orchestrators = new();
    private readonly ConcurrentDictionary<string, Func<string?, string, CancellationToken, Task<object?>>> _activities = new();

    /// <summary>Called before every activity; throwing from it plays an infrastructure failure (worker died).</summary>
    public Func<string, CancellationToken, Task>? BeforeActivity { get; set; }

    public int OrchestratorInvocations;

    public SdkInvoker Orchestrator<TIn, TOut>(string name, Func<TaskOrchestrationContext, TIn?, Task<TOut>> body)
    {
        _orchestrators[name] = new FuncOrchestrator<TIn, TOut>(body);
        return this;
    }

    public SdkInvoker Activity<TIn, TOut>(string name, Func<TIn?, Task<TOut>> body) =>
        Activity<TIn, TOut>(name, (input, _, _) => body(input));

    public SdkInvoker Activity<TIn, TOut>(string name, Func<TIn?, string, CancellationToken, Task<TOut>> body)
    {
        _activities[name] = async (json, instanceId, ct) =>
        {
            var input = json is null ? default : JsonSerializer.Deserialize<TIn>(json);
            return await body(input, instanceId, ct).ConfigureAwait(false);
        };
        return this;
    }

    public bool IsOrchestrator(string functionName) => _orchestrators.ContainsKey(functionName);

    public bool IsActivity(string functionName) => _activities.ContainsKey(functionName);

    public Task<string> InvokeOrchestratorAsync(string functionName, string instanceId, string encodedRequest, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref OrchestratorInvocations);
        return Task.FromResult(GrpcOrchestrationRunner.LoadAndRun(encodedRequest, _orchestrators[functionName]));
    }

    public async Task<string?> InvokeActivityAsync(string functionName, string instanceId, string? inputJson, CancellationToken cancellationToken)
    {
        if (BeforeActivity is { } before)
        {
            await before(functionName, cancellationToken).ConfigureAwait(false);
        }

        object? result;
        try
        {
            result = await _activities[functionName](inputJson, instanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The worker's failure message: "Result: Failure\nException: <ToString() of the exception>\nStack: <stack>".
            throw new DurableFunctionException($"Result: Failure\nException: {ex.GetType().FullName}: {ex.Message}\nStack: {ex.StackTrace}");
        }

        return result is null ? null : JsonSerializer.Serialize(result);
    }

    private sealed class FuncOrchestrator<TIn, TOut>(Func<TaskOrchestrationContext, TIn?, Task<TOut>> body) : TaskOrchestrator<TIn, TOut>
    {
        public override Task<TOut> RunAsync(TaskOrchestrationContext context, TIn input) => body(context, input);
    }
}
