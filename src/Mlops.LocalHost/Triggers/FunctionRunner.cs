using System.Text.Json.Nodes;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Durable;
using Mlops.LocalHost.Handler;

namespace Mlops.LocalHost.Triggers;

/// <summary>Invokes a function with its trigger value plus the other input bindings, then writes its outputs.</summary>
internal sealed class FunctionRunner(HandlerInvoker invoker, OutputBinder outputs, Func<Uri> hostBase, DurableClient? durable, Func<string> durableQuery)
{
    public HandlerInvoker Invoker => invoker;

    /// <summary>Adds the non-trigger input bindings (the durableClient payload, spec §6.1) to <paramref name="data"/>.</summary>
    public void AddInputBindings(FunctionDefinition function, JsonObject data)
    {
        foreach (var b in function.Bindings.Where(b => b.IsIn && !b.IsTrigger))
        {
            if ((b.IsType("durableClient") || b.IsType("orchestrationClient")) && durable is not null)
            {
                var payload = durable.ClientPayload(hostBase(), b.Get("taskHub"), b.Get("connectionName"), durableQuery());
                // The host produces a JSON string, which the §2.1 rule then quotes once more.
                data[b.Name] = PayloadEncoding.EncodeString(payload.ToJsonString());
            }
        }
    }

    /// <summary>Runs the function; true on success (outputs written). Throws <see cref="HandlerUnavailableException"/> when the handler is down.</summary>
    public async Task<InvocationResult> RunAsync(FunctionDefinition function, JsonObject data, JsonObject metadata, IReadOnlyDictionary<string, string> bindingData, string reason, CancellationToken cancellationToken)
    {
        AddInputBindings(function, data);
        metadata["sys"] = PayloadEncoding.Sys(function.Name);
        var result = await invoker.InvokeAsync(function.Name, data, metadata, reason, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            await outputs.WriteAsync(function, result, bindingData, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }
}
