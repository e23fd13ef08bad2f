using Mlops.WorkerHost.Bindings;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;
using Mlops.WorkerHost.Storage;

namespace Mlops.WorkerHost.Triggers;

/// <summary>What every trigger listener needs, and the one way they run a function: invoke, then write its outputs.</summary>
internal sealed class TriggerContext(
    InvocationDispatcher dispatcher,
    InputBinder inputs,
    OutputBinder outputs,
    StorageClients storage,
    AppSettings settings,
    ScriptRoot root,
    HostConsole console,
    string hostId,
    FunctionsHostOptions options)
{
    public StorageClients Storage => storage;

    public AppSettings Settings => settings;

    public ScriptRoot Root => root;

    public HostConsole Console => console;

    public string HostId => hostId;

    public FunctionsHostOptions Options => options;

    /// <summary>Runs <paramref name="function"/> with its trigger value; returns the result (failures included). Worker loss throws.</summary>
    public async Task<InvocationResult> RunAsync(
        FunctionDefinition function, BindingValue? trigger, IReadOnlyDictionary<string, BindingValue> metadata, string reason, CancellationToken cancellationToken,
        (int Count, int Max)? retry = null)
    {
        var list = new List<KeyValuePair<string, BindingValue?>> { new(function.Trigger!.Name, trigger) };
        list.AddRange(inputs.ExtraInputs(function, null));
        var invocation = new FunctionInvocation(function, Guid.NewGuid().ToString(), list, metadata) { Retry = retry };
        var result = await dispatcher.InvokeAsync(invocation, reason, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            await outputs.WriteAsync(function, result, metadata, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Runs in the background and reports (never throws): the admin API and timers fire and forget.</summary>
    public void RunInBackground(Func<Task> run, string function) => _ = Task.Run(async () =>
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            console.Line($"Function '{function}' could not run: {ex.Message}");
        }
    });
}
