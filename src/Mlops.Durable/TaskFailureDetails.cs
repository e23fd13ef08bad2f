namespace Mlops.Durable;

/// <summary>
/// Why a task (activity, sub-orchestration or the orchestration itself) failed, as recorded in history.
/// Mirrors the wire message <c>TaskFailureDetails</c> (spec §4.1).
/// </summary>
/// <param name="ErrorType">The full type name of the original error, e.g. <c>System.InvalidOperationException</c>.</param>
/// <param name="ErrorMessage">The error message.</param>
/// <param name="StackTrace">The stack trace, when the failing side sent one.</param>
/// <param name="InnerFailure">The cause, when there is one.</param>
/// <param name="IsNonRetriable">True when the failing side asked not to retry.</param>
public sealed record TaskFailureDetails(
    string ErrorType,
    string ErrorMessage,
    string? StackTrace = null,
    TaskFailureDetails? InnerFailure = null,
    bool IsNonRetriable = false)
{
    /// <summary>True when this failure or one of its inner failures has the given error type name (full or simple name).</summary>
    public bool IsCausedBy(string errorTypeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorTypeName);
        for (TaskFailureDetails? current = this; current is not null; current = current.InnerFailure)
        {
            if (string.Equals(current.ErrorType, errorTypeName, StringComparison.Ordinal)
                || current.ErrorType.EndsWith("." + errorTypeName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when this failure or one of its inner failures came from an exception of type <typeparamref name="TException"/>.</summary>
    public bool IsCausedBy<TException>()
        where TException : Exception => this.IsCausedBy(typeof(TException).FullName!);

    /// <summary>Builds failure details from an exception, keeping the recorded details of failed tasks as the inner failure.</summary>
    public static TaskFailureDetails FromException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        TaskFailureDetails? inner = exception switch
        {
            TaskFailedException failed => failed.FailureDetails,
            _ when exception.InnerException is not null => FromException(exception.InnerException),
            _ => null,
        };
        return new TaskFailureDetails(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace, inner);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{this.ErrorType}: {this.ErrorMessage}";

    internal static TaskFailureDetails? FromProto(Protocol.TaskFailureDetails? proto) =>
        proto is null
            ? null
            : new TaskFailureDetails(proto.ErrorType, proto.ErrorMessage, proto.StackTrace, FromProto(proto.InnerFailure), proto.IsNonRetriable);

    internal Protocol.TaskFailureDetails ToProto()
    {
        var proto = new Protocol.TaskFailureDetails
        {
            ErrorType = this.ErrorType,
            ErrorMessage = this.ErrorMessage,
            IsNonRetriable = this.IsNonRetriable,
        };
        if (this.StackTrace is not null)
        {
            proto.StackTrace = this.StackTrace;
        }

        if (this.InnerFailure is not null)
        {
            proto.InnerFailure = this.InnerFailure.ToProto();
        }

        return proto;
    }
}
