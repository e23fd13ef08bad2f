using Mlops.WorkerHost.Configuration;

namespace Mlops.WorkerHost.Triggers;

/// <summary>One listener per trigger type (the real host's shape): it starts watching its source and can be fired by the admin API.</summary>
internal interface ITriggerListener : IAsyncDisposable
{
    /// <summary>Does this listener own the function's trigger?</summary>
    bool Handles(FunctionDefinition function);

    /// <summary>Starts listening for every function it handles.</summary>
    Task StartAsync(IReadOnlyList<FunctionDefinition> functions, CancellationToken cancellationToken);

    /// <summary>Runs the function once now with the admin API's input (spec §7), in the background.</summary>
    void Fire(FunctionDefinition function, string? input);
}
