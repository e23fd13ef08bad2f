namespace Mlops.Durable;

/// <summary>
/// Thrown into orchestrator code when an activity or sub-orchestration it awaited failed.
/// <see cref="FailureDetails"/> holds what the history recorded about the failure.
/// </summary>
public sealed class TaskFailedException : Exception
{
    /// <summary>Creates the exception for the task <paramref name="taskName"/> with sequence number <paramref name="taskId"/>.</summary>
    public TaskFailedException(string taskName, int taskId, TaskFailureDetails failureDetails)
        : base($"Task '{taskName}' (#{taskId}) failed with an unhandled exception: {failureDetails?.ErrorMessage}")
    {
        ArgumentNullException.ThrowIfNull(failureDetails);
        this.TaskName = taskName;
        this.TaskId = taskId;
        this.FailureDetails = failureDetails;
    }

    /// <summary>The activity or orchestrator name.</summary>
    public string TaskName { get; }

    /// <summary>The sequence number of the task inside its orchestration execution.</summary>
    public int TaskId { get; }

    /// <summary>The failure as recorded in history (error type, message, stack trace, inner failure).</summary>
    public TaskFailureDetails FailureDetails { get; }
}
