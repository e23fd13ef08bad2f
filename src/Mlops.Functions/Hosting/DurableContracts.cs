using Mlops.Durable;

namespace Mlops.Functions.Hosting;

/// <summary>
/// A Durable orchestrator declared with <see cref="OrchestrationTriggerAttribute"/>. Its code is replayed: it must be
/// deterministic (no I/O, clock, random or thread APIs; use the context's). One instance serves every replay, so it
/// must hold no state and have a parameterless constructor.
/// </summary>
public interface IOrchestratorFunction<TInput, TOutput>
{
    /// <summary>Runs (or replays) the orchestration.</summary>
    Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input);
}

/// <summary>
/// A Durable activity declared with <see cref="ActivityTriggerAttribute"/>: created from the app's services per
/// invocation. Activities run at least once: make every write idempotent (keyed by run id and stage).
/// </summary>
public interface IActivityFunction<TInput, TOutput>
{
    /// <summary>Runs the activity.</summary>
    Task<TOutput> RunAsync(TInput input, ActivityContext context);
}
