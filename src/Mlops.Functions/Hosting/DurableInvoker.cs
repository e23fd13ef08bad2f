using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Durable;

namespace Mlops.Functions.Hosting;

/// <summary>
/// Runs the app's orchestrators through the Durable SDK's pure replay engine and its activities from DI, for the
/// <c>orchestrationTrigger</c> / <c>activityTrigger</c> invocations of spec §3.2-§3.3.
/// </summary>
public sealed class DurableInvoker : IDurableInvoker
{
    private readonly DurableFunctionRegistry _orchestrators;

    /// <summary>Registers every orchestrator the catalog declares.</summary>
    public DurableInvoker(FunctionCatalog catalog, ILoggerFactory loggerFactory)
    {
        _orchestrators = new DurableFunctionRegistry(FunctionJson.Options, loggerFactory);
        var register = typeof(DurableInvoker).GetMethod(nameof(RegisterOrchestrator), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var function in catalog.Functions.Where(f => f.Kind == TriggerKind.Orchestration))
        {
            var contract = ContractOf(function.Type, typeof(IOrchestratorFunction<,>));
            register.MakeGenericMethod(contract.GenericTypeArguments).Invoke(null, [_orchestrators, function]);
        }
    }

    /// <summary>The orchestrator registry (for tests that replay histories in-process).</summary>
    public DurableFunctionRegistry Orchestrators => _orchestrators;

    /// <inheritdoc />
    public Task<string> InvokeOrchestratorAsync(FunctionDescriptor function, JsonElement body, CancellationToken cancellationToken) =>
        _orchestrators.InvokeOrchestratorAsync(body, function.Trigger.BindingName, cancellationToken);

    /// <inheritdoc />
    public async Task<string> InvokeActivityAsync(FunctionDescriptor function, JsonElement body, IServiceProvider services, CancellationToken cancellationToken)
    {
        var inputJson = CustomHandlerPayload.ReadActivityInput(body, function.Trigger.BindingName);
        var instanceId = CustomHandlerPayload.ReadInstanceId(body) ?? "";
        var contract = ContractOf(function.Type, typeof(IActivityFunction<,>));
        var inputType = contract.GenericTypeArguments[0];
        var input = inputJson is null ? null : JsonSerializer.Deserialize(inputJson, inputType, FunctionJson.Options);
        var activity = ActivatorUtilities.CreateInstance(services, function.Type);
        var run = contract.GetMethod("RunAsync")!;
        var task = (Task)run.Invoke(activity, [input, new ActivityContext(function.Name, instanceId, cancellationToken)])!;
        await task.ConfigureAwait(false);
        var result = task.GetType().GetProperty("Result")!.GetValue(task);
        var resultJson = result is null ? null : JsonSerializer.Serialize(result, contract.GenericTypeArguments[1], FunctionJson.Options);
        return CustomHandlerPayload.CreateActivityResponseBody(resultJson);
    }

    private static void RegisterOrchestrator<TInput, TOutput>(DurableFunctionRegistry registry, FunctionDescriptor function)
    {
        // One stateless instance serves every replay (the contract of IOrchestratorFunction).
        var orchestrator = (IOrchestratorFunction<TInput, TOutput>)Activator.CreateInstance(function.Type)!;
        registry.AddOrchestrator<TInput, TOutput>(function.Name, (context, input) => orchestrator.RunAsync(context, input!));
    }

    private static Type ContractOf(Type type, Type openContract) =>
        type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openContract)
        ?? throw new InvalidOperationException($"{type.Name} must implement {openContract.Name}.");
}
