namespace Mlops.Durable.Worker;

/// <summary>
/// A registered orchestrator with its typing erased: reads its input through the context and returns
/// its output as JSON text (null for no output).
/// </summary>
internal delegate Task<string?> OrchestratorInvoker(TaskOrchestrationContext context);
