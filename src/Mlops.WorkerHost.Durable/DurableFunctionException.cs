namespace Mlops.WorkerHost.Durable;

/// <summary>
/// An orchestrator or activity function ran in the worker and failed. The message has the shape the worker reports
/// (<c>Result: Failure\nException: Type: message\nStack: …</c>), from which the engine builds DTFx failure details.
/// </summary>
public sealed class DurableFunctionException : Exception
{
    /// <summary>Creates the exception from the worker's failure message.</summary>
    public DurableFunctionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception from the worker's failure message and the exception that carried it.</summary>
    public DurableFunctionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
