using System.Globalization;

namespace Mlops.LocalHost;

/// <summary>The func-start-like console: timestamped lines, one writer at a time.</summary>
internal sealed class HostConsole(TextWriter output, bool verbose)
{
    private readonly Lock _gate = new();

    public bool Verbose { get; } = verbose;

    public void Line(string text)
    {
        lock (_gate)
        {
            output.WriteLine($"[{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}] {text}");
            output.Flush();
        }
    }

    public void Raw(string text)
    {
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }

    public void Debug(string text)
    {
        if (Verbose)
        {
            Line(text);
        }
    }

    public void Executing(string function, string reason, Guid id) =>
        Line($"Executing 'Functions.{function}' (Reason='{reason}', Id={id})");

    public void Executed(string function, bool succeeded, Guid id, TimeSpan duration, string? error = null)
    {
        Line($"Executed 'Functions.{function}' ({(succeeded ? "Succeeded" : "Failed")}, Id={id}, Duration={(long)duration.TotalMilliseconds}ms)");
        if (!succeeded && error is not null)
        {
            Line($"  {error}");
        }
    }
}
