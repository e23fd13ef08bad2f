using System.Globalization;
using System.Text;

namespace Mlops.Pipeline.Tests.Ingestion;

/// <summary>
/// A forward-only CSV body of <c>rows</c> generated rows, produced as it is read (like a request body or a blob download),
/// as a consumer that never seeks sees it.
/// </summary>
internal sealed class GeneratedCsvStream(long rows) : Stream
{
    private static readonly string[] Weathers = ["sun", "rain", "fog", "drizzle", "snow"];
    private readonly StringBuilder _line = new();
    private byte[] _pending = Encoding.UTF8.GetBytes("id,temp,wind,weather\n");
    private int _offset;
    private long _next;

    public long BytesProduced { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var written = 0;
        while (written < buffer.Length)
        {
            if (_offset == _pending.Length && !NextChunk())
            {
                break;
            }

            var n = Math.Min(buffer.Length - written, _pending.Length - _offset);
            _pending.AsSpan(_offset, n).CopyTo(buffer[written..]);
            _offset += n;
            written += n;
        }

        BytesProduced += written;
        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private bool NextChunk()
    {
        if (_next >= rows)
        {
            return false;
        }

        _line.Clear();
        for (var i = 0; i < 1000 && _next < rows; i++, _next++)
        {
            var temp = ((_next * 7919) % 400 - 100) / 10.0;
            var wind = (_next * 104729 % 90) / 10.0;
            _line.Append(CultureInfo.InvariantCulture, $"{_next},{temp},{wind},{Weathers[_next * 31 % Weathers.Length]}\n");
        }

        _pending = Encoding.UTF8.GetBytes(_line.ToString());
        _offset = 0;
        return true;
    }
}
