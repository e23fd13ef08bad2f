using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Mlops.Data.Reading;

/// <summary>The upload is not UTF-8 text (invalid sequence or a NUL byte, the mark of a binary file).</summary>
internal sealed class BadEncodingException(long byteOffset, string reason) : Exception($"{reason} at byte {byteOffset}.")
{
    public long ByteOffset { get; } = byteOffset;
}

/// <summary>The caller's stream failed (network, disk): not the data's fault, so it propagates instead of becoming a report.</summary>
internal sealed class SourceStreamException(Exception inner) : IOException("Reading the dataset stream failed: " + inner.Message, inner);

/// <summary>
/// A read-only pass-through over the upload that counts bytes and, for text formats, checks UTF-8 validity and the
/// absence of NUL bytes as the bytes go by, so a bad file is caught in the same single pass. It can also peek at the
/// first bytes (to tell a JSON array from JSON Lines) without consuming them.
/// </summary>
internal sealed class ScanningStream(Stream inner, bool checkText) : Stream
{
    private readonly char[] _scratch = checkText ? new char[8192] : [];
    private byte[] _carry = new byte[4];
    private int _carryLength;
    private byte[]? _peeked;
    private int _peekedOffset;
    private int _peekedLength;

    public long BytesRead { get; private set; }

    /// <summary>The wrapped stream (Parquet reads it directly when it can seek).</summary>
    public Stream Inner => inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>The first byte that is not whitespace or a UTF-8 BOM among the first few KB, or -1 when there is none.</summary>
    public async ValueTask<int> PeekFirstSignificantByteAsync(CancellationToken ct)
    {
        if (_peeked is null)
        {
            _peeked = new byte[16 * 1024];
            _peekedOffset = 0;
            _peekedLength = await ReadFromInnerAsync(_peeked, ct).ConfigureAwait(false);
        }

        var span = _peeked.AsSpan(_peekedOffset, _peekedLength);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return b;
            }
        }

        return -1;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TryServePeeked(buffer, out var served))
        {
            return served;
        }

        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SourceStreamException(e);
        }

        Scan(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryServePeeked(buffer.Span, out var served))
        {
            return served;
        }

        return await ReadFromInnerAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> ReadFromInnerAsync(Memory<byte> buffer, CancellationToken ct)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SourceStreamException(e);
        }

        Scan(buffer.Span[..n]);
        return n;
    }

    private bool TryServePeeked(Span<byte> buffer, out int served)
    {
        served = 0;
        if (_peeked is null || _peekedLength == 0)
        {
            return false;
        }

        served = Math.Min(buffer.Length, _peekedLength);
        _peeked.AsSpan(_peekedOffset, served).CopyTo(buffer);
        _peekedOffset += served;
        _peekedLength -= served;
        return true;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        var start = BytesRead;
        BytesRead += bytes.Length;
        if (!checkText)
        {
            return;
        }

        if (bytes.Length == 0)
        {
            if (_carryLength > 0)
            {
                throw new BadEncodingException(start - _carryLength, "The file ends inside a UTF-8 sequence");
            }

            return;
        }

        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new BadEncodingException(start + nul, "A NUL byte (binary content)");
        }

        // A multi-byte sequence may straddle two reads: finish the carried bytes first.
        if (_carryLength > 0)
        {
            var take = Math.Min(bytes.Length, 4 - _carryLength);
            bytes[..take].CopyTo(_carry.AsSpan(_carryLength));
            var joined = _carry.AsSpan(0, _carryLength + take);
            var status = Utf8.ToUtf16(joined, _scratch, out var used, out _, replaceInvalidSequences: false, isFinalBlock: false);
            if (status == OperationStatus.InvalidData)
            {
                throw new BadEncodingException(start - _carryLength, "Invalid UTF-8");
            }

            if (status == OperationStatus.NeedMoreData && used == 0)
            {
                _carryLength += take;
                return;
            }

            var consumedFromNew = used - _carryLength;
            _carryLength = 0;
            bytes = bytes[consumedFromNew..];
            start += consumedFromNew;
        }

        while (!bytes.IsEmpty)
        {
            var status = Utf8.ToUtf16(bytes, _scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: false);
            switch (status)
            {
                case OperationStatus.InvalidData:
                    throw new BadEncodingException(start + read, "Invalid UTF-8");
                case OperationStatus.NeedMoreData:
                    var rest = bytes[read..];
                    rest.CopyTo(_carry);
                    _carryLength = rest.Length;
                    return;
                default:
                    bytes = bytes[read..];
                    start += read;
                    break;
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        _carry = [];
        base.Dispose(disposing);
    }

    internal static Encoding StrictUtf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
