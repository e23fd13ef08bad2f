using System.Text.Json;
using DurableTask.Core;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// Failure details from the message the worker reports for a failed function
/// (<c>Result: Failure\nException: Type: message\nStack: …</c>), parsed as the Durable extension does, so that the
/// orchestrator's <c>TaskFailedException</c> carries the activity's exception type, message and stack.
/// </summary>
internal static class FailureMessageParser
{
    private const string ExceptionDelimiter = "\nException: ";
    private const string StackDelimiter = "\nStack: ";
    private const string ThrownPrefix = "Exception of type '";
    private const string ThrownSuffix = "' was thrown.";

    public static FailureDetails Parse(string message)
    {
        if (!message.StartsWith("Result:", StringComparison.Ordinal) || !TrySplit(message, out var exception, out var stack))
        {
            return new FailureDetails("(unknown)", message, stackTrace: null, innerFailure: null, isNonRetriable: false);
        }

        if (TryParseSerialized(exception) is { } serialized)
        {
            return serialized;
        }

        if (exception.StartsWith(ThrownPrefix, StringComparison.Ordinal) && exception.EndsWith(ThrownSuffix, StringComparison.Ordinal))
        {
            return new FailureDetails(exception[ThrownPrefix.Length..^ThrownSuffix.Length], "", stack, innerFailure: null, isNonRetriable: false);
        }

        var colon = exception.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
        {
            return new FailureDetails("(unknown)", exception, stack, innerFailure: null, isNonRetriable: false);
        }

        // The .NET worker repeats the stack in the exception text; the first line is the message.
        var start = colon + 2;
        var end = exception.IndexOf('\n', start);
        var text = (end < 0 ? exception[start..] : exception[start..end]).TrimEnd();
        return new FailureDetails(exception[..colon].TrimEnd(), text, stack, innerFailure: null, isNonRetriable: false);
    }

    private static bool TrySplit(string message, out string exception, out string? stack)
    {
        exception = "";
        stack = null;
        var startException = message.IndexOf(ExceptionDelimiter, StringComparison.Ordinal);
        if (startException < 0)
        {
            return false;
        }

        var payload = message[(startException + ExceptionDelimiter.Length)..];
        var endException = payload.LastIndexOf(StackDelimiter, StringComparison.Ordinal);
        if (endException < 0)
        {
            exception = payload;
            return true;
        }

        exception = payload[..endException];
        stack = payload[(endException + StackDelimiter.Length)..];
        return true;
    }

    // A worker may put a JSON TaskFailureDetails on the first line of the exception text (the extension accepts it).
    private static FailureDetails? TryParseSerialized(string exception)
    {
        if (exception.Length == 0 || exception[0] != '{')
        {
            return null;
        }

        var newline = exception.IndexOf('\n', StringComparison.Ordinal);
        var json = newline < 0 ? exception : exception[..newline].Trim();
        try
        {
            using var doc = JsonDocument.Parse(json);
            return FromJson(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static FailureDetails? FromJson(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? Str(string name) => Get(e, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
        var inner = Get(e, "innerFailure") is { } i ? FromJson(i) : null;
        var nonRetriable = Get(e, "isNonRetriable") is { ValueKind: JsonValueKind.True };
        return new FailureDetails(Str("errorType") ?? "(unknown)", Str("errorMessage") ?? "", Str("stackTrace"), inner, nonRetriable);
    }

    private static JsonElement? Get(JsonElement e, string name)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }
}
