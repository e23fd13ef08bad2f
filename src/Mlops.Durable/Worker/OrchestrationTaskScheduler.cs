namespace Mlops.Durable.Worker;

/// <summary>
/// Runs orchestrator continuations one at a time, in the order they become ready, on the thread that
/// replays the history. Nothing is ever inlined or sent to the thread pool: this is what makes
/// replay deterministic without a synchronization context.
/// </summary>
internal sealed class OrchestrationTaskScheduler : TaskScheduler
{
    private readonly Queue<Task> ready = new();

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs every ready continuation, including those queued while running.</summary>
    public void RunUntilIdle()
    {
        while (this.ready.TryDequeue(out Task? task))
        {
            this.TryExecuteTask(task);
        }
    }

    protected override void QueueTask(Task task) => this.ready.Enqueue(task);

    // Inlining would run orchestrator code inside the engine's event handling, out of order.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => this.ready.ToArray();
}
