using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mlops.Durable.Worker;

namespace Mlops.Durable;

/// <summary>
/// The orchestrators and activities of an app, by function name (case-insensitive, like Functions), and
/// the entry points a custom handler calls for <c>orchestrationTrigger</c> and <c>activityTrigger</c> requests.
/// </summary>
/// <remarks>
/// Inputs and outputs are System.Text.Json with <see cref="SerializerOptions"/>; those settings are part of
/// the wire contract of stored histories, so change them only with care.
/// </remarks>
public sealed class DurableFunctionRegistry
{
    private readonly Dictionary<string, OrchestratorInvoker> orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<ActivityContext, string?, Task<string?>>> activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty registry.</summary>
    /// <param name="serializerOptions">JSON settings for inputs, outputs, events and custom status; default <see cref="JsonSerializerDefaults.Web"/> (camelCase).</param>
    /// <param name="loggerFactory">Source of the orchestrations' replay-safe loggers; default: none.</param>
    public DurableFunctionRegistry(JsonSerializerOptions? serializerOptions = null, ILoggerFactory? loggerFactory = null)
    {
        this.SerializerOptions = serializerOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
        this.LoggerFactory = loggerFactory;
    }

    /// <summary>JSON settings used for every payload.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>The logger factory behind <see cref="TaskOrchestrationContext.CreateReplaySafeLogger(string)"/>, if any.</summary>
    public ILoggerFactory? LoggerFactory { get; }

    /// <summary>The registered orchestrator names.</summary>
    public IReadOnlyCollection<string> OrchestratorNames => this.orchestrators.Keys;

    /// <summary>The registered activity names.</summary>
    public IReadOnlyCollection<string> ActivityNames => this.activities.Keys;

    /// <summary>Registers an orchestrator function.</summary>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public DurableFunctionRegistry AddOrchestrator<TInput, TOutput>(string name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        this.AddOrchestratorCore(name, async context =>
        {
            TOutput output = await orchestrator(context, context.GetInput<TInput>()!);
            return output is null ? null : JsonSerializer.Serialize(output, this.SerializerOptions);
        });
        return this;
    }

    /// <summary>Registers an orchestrator function without output.</summary>
    public DurableFunctionRegistry AddOrchestrator<TInput>(string name, Func<TaskOrchestrationContext, TInput, Task> orchestrator)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        this.AddOrchestratorCore(name, async context =>
        {
            await orchestrator(context, context.GetInput<TInput>()!);
            return null;
        });
        return this;
    }

    /// <summary>Registers an activity function.</summary>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public DurableFunctionRegistry AddActivity<TInput, TOutput>(string name, Func<ActivityContext, TInput, Task<TOutput>> activity)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(activity);
        if (!this.activities.TryAdd(name, async (context, inputJson) =>
            {
                TInput input = inputJson is null ? default! : JsonSerializer.Deserialize<TInput>(inputJson, this.SerializerOptions)!;
                TOutput output = await activity(context, input);
                return output is null ? null : JsonSerializer.Serialize(output, this.SerializerOptions);
            }))
        {
            throw new ArgumentException($"An activity named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    /// <summary>Registers a synchronous activity function.</summary>
    public DurableFunctionRegistry AddActivity<TInput, TOutput>(string name, Func<ActivityContext, TInput, TOutput> activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return this.AddActivity<TInput, TOutput>(name, (context, input) => Task.FromResult(activity(context, input)));
    }

    /// <summary>True when an orchestrator of that name is registered.</summary>
    public bool HasOrchestrator(string name) => this.orchestrators.ContainsKey(name);

    /// <summary>True when an activity of that name is registered.</summary>
    public bool HasActivity(string name) => this.activities.ContainsKey(name);

    /// <summary>
    /// Handles an <c>orchestrationTrigger</c> invocation: reads the request from the parsed body (§3.2),
    /// runs one episode and returns the response body <c>{"ReturnValue":"&lt;base64&gt;"}</c> to send with HTTP 200.
    /// </summary>
    /// <exception cref="ArgumentException">The body does not hold a valid OrchestratorRequest (answer non-2xx).</exception>
    public Task<string> InvokeOrchestratorAsync(JsonElement body, string bindingName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string request = CustomHandlerPayload.ReadOrchestratorRequest(body, bindingName);
        string response = OrchestrationRunner.LoadAndRun(request, this);
        return Task.FromResult(CustomHandlerPayload.CreateOrchestratorResponseBody(response));
    }

    /// <summary>
    /// Handles an <c>activityTrigger</c> invocation of <paramref name="activityName"/>: reads the input (§3.3),
    /// runs the activity and returns the response body <c>{"ReturnValue":&lt;result&gt;}</c> to send with HTTP 200.
    /// Exceptions from the activity propagate: answer HTTP 500 so the orchestration sees <c>taskFailed</c>.
    /// </summary>
    /// <exception cref="ArgumentException">No such activity, or the body is malformed.</exception>
    public async Task<string> InvokeActivityAsync(string activityName, JsonElement body, string bindingName, CancellationToken cancellationToken = default)
    {
        string? input = CustomHandlerPayload.ReadActivityInput(body, bindingName);
        string instanceId = CustomHandlerPayload.ReadInstanceId(body) ?? string.Empty;
        string? result = await this.RunActivityAsync(activityName, instanceId, input, cancellationToken);
        return CustomHandlerPayload.CreateActivityResponseBody(result);
    }

    /// <summary>
    /// Runs an activity on raw JSON text: <paramref name="inputJson"/> is the <c>ScheduleTaskAction.input</c>
    /// text (null for none); the result is JSON text (null for none). For hosts that skip the HTTP layer.
    /// </summary>
    public Task<string?> RunActivityAsync(string activityName, string instanceId, string? inputJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(activityName);
        if (!this.activities.TryGetValue(activityName, out Func<ActivityContext, string?, Task<string?>>? activity))
        {
            throw new ArgumentException($"No activity named '{activityName}' is registered.", nameof(activityName));
        }

        return activity(new ActivityContext(activityName, instanceId, cancellationToken), inputJson);
    }

    internal OrchestratorInvoker? FindOrchestrator(string name) =>
        this.orchestrators.TryGetValue(name, out OrchestratorInvoker? invoker) ? invoker : null;

    private void AddOrchestratorCore(string name, OrchestratorInvoker invoker)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!this.orchestrators.TryAdd(name, invoker))
        {
            throw new ArgumentException($"An orchestrator named '{name}' is already registered.", nameof(name));
        }
    }
}
