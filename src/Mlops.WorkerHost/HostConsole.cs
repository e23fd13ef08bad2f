using System.Globalization;
using System.Threading.Channels;

namespace Mlops.WorkerHost;

/// <summary>
/// The func-start-like console: timestamped lines in order. Callers only enqueue; one background writer formats, writes
/// and flushes once per burst, so a busy HTTP path never waits on the terminal (or on another request) to log.
/// </summary>
internal sealed class HostConsole : IAsyncDisposable
{
    private readonly TextWriter _output;
    private readonly Channel<Entry> _entries = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _late = new();
    private readonly Task _writer;

    /// <summary>One line to write; <see cref="Stamp"/> is null for a raw line (no timestamp).</summary>
    private readonly record struct Entry(DateTime? Stamp, string Text);

    public HostConsole(TextWriter output, bool verbose)
    {
        // Console.Out flushes on every Write (a system call each); our own buffered writer on stdout flushes once per burst.
        _output = ReferenceEquals(output, Console.Out)
            ? new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false }
            : output;
        Verbose = verbose;
        _writer = Task.Run(WriteLoopAsync);
    }

    public bool Verbose { get; }

    public void Line(string text) => Enqueue(new Entry(DateTime.UtcNow, text));

    public void Raw(string text) => Enqueue(new Entry(null, text));

    public void Debug(string text)
    {
        if (Verbose)
        {
            Line(text);
        }
    }

    public void Executing(string function, string reason, string id) =>
        Line($"Executing 'Functions.{function}' (Reason='{reason}', Id={id})");

    public void Executed(string function, bool succeeded, string id, TimeSpan duration, string? error = null)
    {
        Line($"Executed 'Functions.{function}' ({(succeeded ? "Succeeded" : "Failed")}, Id={id}, Duration={(long)duration.TotalMilliseconds}ms)");
        if (!succeeded && error is not null)
        {
            Line($"  {error}");
        }
    }

    private void Enqueue(Entry entry)
    {
        if (!_entries.Writer.TryWrite(entry))
        {
            // After shutdown the writer loop is gone: write directly so late lines (disposal errors) are not lost.
            lock (_late)
            {
                Write(entry);
                _output.Flush();
            }
        }
    }

    private void Write(Entry entry)
    {
        // One Write per line: a synchronized or auto-flushing caller-supplied writer then sees whole lines.
        _output.WriteLine(entry.Stamp is { } stamp
            ? string.Create(CultureInfo.InvariantCulture, $"[{stamp:yyyy-MM-ddTHH:mm:ss.fffZ}] {entry.Text}")
            : entry.Text);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _entries.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var entry))
                {
                    Write(entry);
                }

                // One flush per burst: lines written together reach the terminal (or a test's pipe) together.
                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The output went away (closed pipe, disposed writer): drop lines rather than stop the host.
            }
        }
    }

    /// <summary>Writes every queued line, then stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _entries.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
