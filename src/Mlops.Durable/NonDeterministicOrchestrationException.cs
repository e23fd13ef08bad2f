namespace Mlops.Durable;

/// <summary>
/// The orchestrator code no longer produces the actions its history recorded (a changed activity name,
/// reordered calls, a removed await, use of the wall clock...). The engine fails the orchestration with
/// this error type in <c>failureDetails</c>; it is never thrown into orchestrator code.
/// </summary>
public sealed class NonDeterministicOrchestrationException : Exception
{
    /// <summary>Creates the exception for sequence number <paramref name="taskId"/>.</summary>
    public NonDeterministicOrchestrationException(int taskId, string expected, string actual)
        : base($"Non-deterministic orchestrator: history records {expected} for sequence number {taskId}, but the code produced {actual}. "
            + "Orchestrator code must make the same calls in the same order on every replay.")
    {
        this.TaskId = taskId;
        this.Expected = expected;
        this.Actual = actual;
    }

    /// <summary>The sequence number where history and code disagree.</summary>
    public int TaskId { get; }

    /// <summary>What the history records, e.g. <c>scheduleTask 'SayHello'</c>.</summary>
    public string Expected { get; }

    /// <summary>What the code produced, e.g. <c>scheduleTask 'SayHi'</c> or <c>nothing</c>.</summary>
    public string Actual { get; }
}
