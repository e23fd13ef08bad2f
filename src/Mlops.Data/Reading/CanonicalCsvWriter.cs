using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlops.Data.Reading;

/// <summary>
/// Writes the canonical CSV of a dataset (README.md "Canonical form") while hashing it, optionally copying the same
/// bytes to the caller's stream: the version id and the stored bytes come out of the one pass.
/// </summary>
internal sealed class CanonicalCsvWriter : IDisposable
{
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Stream? _output;
    private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
    private readonly char[] _chars = new char[32 * 1024];
    private readonly byte[] _bytes = new byte[32 * 1024 * 3 + 16];
    private int _charCount;

    public CanonicalCsvWriter(Stream? output) => _output = output;

    public long BytesWritten { get; private set; }

    public void WriteRow(ReadOnlySpan<Cell> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            WriteCell(cells[i]);
        }

        Append('\n');
    }

    public void WriteHeader(IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                Append(',');
            }

            WriteText(names[i]);
        }

        Append('\n');
    }

    private void WriteCell(in Cell cell)
    {
        switch (cell.Type)
        {
            case CellType.Missing:
                return;
            case CellType.Boolean:
                WriteText(cell.Number != 0 ? "true" : "false");
                return;
            case CellType.Number when cell.Text is null:
                EnsureRoom(32);
                cell.Number.TryFormat(_chars.AsSpan(_charCount), out var written, default, CultureInfo.InvariantCulture);
                _charCount += written;
                return;
            default:
                if (!ValueSyntax.IsMissing(cell.Text))
                {
                    WriteText(cell.Text!);
                }

                return;
        }
    }

    private void WriteText(string text)
    {
        if (text.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            Append(text);
            return;
        }

        Append('"');
        Append(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        Append('"');
    }

    private void Append(char c)
    {
        EnsureRoom(1);
        _chars[_charCount++] = c;
    }

    private void Append(string s)
    {
        if (s.Length > _chars.Length - _charCount)
        {
            FlushChars(final: false);
            if (s.Length > _chars.Length)
            {
                EncodeAndEmit(s.AsSpan(), final: false);
                return;
            }
        }

        s.AsSpan().CopyTo(_chars.AsSpan(_charCount));
        _charCount += s.Length;
    }

    private void EnsureRoom(int n)
    {
        if (_chars.Length - _charCount < n)
        {
            FlushChars(final: false);
        }
    }

    private void FlushChars(bool final)
    {
        EncodeAndEmit(_chars.AsSpan(0, _charCount), final);
        _charCount = 0;
    }

    private void EncodeAndEmit(ReadOnlySpan<char> chars, bool final)
    {
        while (true)
        {
            _encoder.Convert(chars, _bytes, final, out var used, out var produced, out var completed);
            var bytes = _bytes.AsSpan(0, produced);
            _hash.AppendData(bytes);
            _output?.Write(bytes);
            BytesWritten += produced;
            chars = chars[used..];
            if (completed || chars.IsEmpty)
            {
                return;
            }
        }
    }

    /// <summary>Flushes what is buffered and returns the lower-case hex SHA-256 of every byte written.</summary>
    public async Task<string> CompleteAsync(CancellationToken ct)
    {
        FlushChars(final: true);
        if (_output is not null)
        {
            await _output.FlushAsync(ct).ConfigureAwait(false);
        }

        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public void Dispose() => _hash.Dispose();
}
