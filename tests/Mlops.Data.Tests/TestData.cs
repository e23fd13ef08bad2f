using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Testing;

namespace Mlops.Data.Tests;

internal static class TestData
{
    public static ProjectSpec Spec(string target, TaskKind task = TaskKind.Multiclass, IReadOnlyList<string>? ignore = null) =>
        new() { Target = target, Task = task, Ignore = ignore ?? [] };

    public static string Corpus(string file) => Path.Combine(AppContext.BaseDirectory, "Corpus", file);

    public static string Vega(string file) => RepoPaths.Dataset(file);

    public static async Task<IngestionResult> IngestFileAsync(string path, ProjectSpec spec, DatasetSchema? previous = null, Stream? output = null, IngestionOptions? options = null)
    {
        await using var stream = File.OpenRead(path);
        return await new DatasetIngestor(options).IngestAsync(stream, Path.GetFileName(path), spec, previous, output);
    }

    public static async Task<IngestionResult> IngestTextAsync(string text, string hint, ProjectSpec spec, DatasetSchema? previous = null, Stream? output = null)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return await new DatasetIngestor().IngestAsync(stream, hint, spec, previous, output);
    }

    /// <summary>A read-only, non-seekable view that returns at most <paramref name="chunk"/> bytes per read, like a network body.</summary>
    public sealed class TrickleStream(Stream inner, int chunk) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, chunk));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
