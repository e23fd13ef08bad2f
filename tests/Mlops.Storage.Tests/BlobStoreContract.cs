using System.Text;

namespace Mlops.Storage.Tests;

/// <summary>The behaviour every <see cref="BlobStore"/> must have; run against each implementation.</summary>
public abstract class BlobStoreContract
{
    protected abstract BlobStore Store { get; }

    private readonly string _container = "c" + Guid.NewGuid().ToString("N")[..12];

    private static BinaryData Text(string s) => BinaryData.FromString(s);

    [Fact]
    public async Task PutAsync_NewBlob_WritesContentTypeAndMetadata()
    {
        var result = await Store.PutAsync(_container, "a/b/data.csv", Text("x,y\n1,2\n"),
            new BlobPutOptions { ContentType = "text/csv", Metadata = new Dictionary<string, string> { ["sha256"] = "abc" } });

        Assert.True(result.Written);
        await using var download = await Store.GetAsync(_container, "a/b/data.csv");
        Assert.NotNull(download);
        using var reader = new StreamReader(download.Content);
        Assert.Equal("x,y\n1,2\n", await reader.ReadToEndAsync());
        Assert.Equal(result.ETag, download.Info.ETag);
        Assert.Equal("text/csv", download.Info.ContentType);
        Assert.Equal("abc", download.Info.Metadata["sha256"]);
        Assert.Equal(8, download.Info.Length);
        Assert.Equal(BlobKind.Block, download.Info.Kind);
    }

    [Fact]
    public async Task PutAsync_ImmutableOverExisting_ReturnsAlreadyExistsAndKeepsOriginal()
    {
        var first = await Store.PutAsync(_container, "x.json", Text("first"));

        var second = await Store.PutAsync(_container, "x.json", Text("second"));

        Assert.Equal(BlobWriteStatus.AlreadyExists, second.Status);
        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal("first", (await Store.ReadAllAsync(_container, "x.json"))!.ToString());
    }

    [Fact]
    public async Task PutAsync_ConcurrentImmutableWrites_ExactlyOneWrites()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Store.PutAsync(_container, "race", Text("writer " + i))));

        Assert.Single(results, r => r.Written);
        var winner = Array.FindIndex(results, r => r.Written);
        Assert.Equal("writer " + winner, (await Store.ReadAllAsync(_container, "race"))!.ToString());
    }

    [Fact]
    public async Task PutAsync_Overwrite_ReplacesContent()
    {
        await Store.PutAsync(_container, "x", Text("first"));

        var second = await Store.PutAsync(_container, "x", Text("second"), new BlobPutOptions { Overwrite = true });

        Assert.True(second.Written);
        Assert.Equal("second", (await Store.ReadAllAsync(_container, "x"))!.ToString());
    }

    [Fact]
    public async Task PutAsync_LargeStream_RoundTrips()
    {
        var bytes = new byte[9 * 1024 * 1024 + 17];
        new Random(7).NextBytes(bytes);

        await Store.PutAsync(_container, "big.bin", new MemoryStream(bytes));

        Assert.Equal(bytes, (await Store.ReadAllAsync(_container, "big.bin"))!.ToArray());
    }

    [Fact]
    public async Task GetAsync_Missing_ReturnsNullAndExistsIsFalse()
    {
        Assert.Null(await Store.GetAsync(_container, "nope"));
        Assert.Null(await Store.GetInfoAsync(_container, "nope"));
        Assert.False(await Store.ExistsAsync(_container, "nope"));
    }

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyMatchingPathsInOrder()
    {
        foreach (var path in new[] { "p/2024-01-02/01-a.jsonl", "p/2024-01-01/00-a.jsonl", "p/2024-01-01/00-b.jsonl", "q/2024-01-01/00-a.jsonl" })
        {
            await Store.PutAsync(_container, path, Text(path));
        }

        var day = await Store.ListAsync(_container, "p/2024-01-01/").Select(b => b.Path).ToListAsync();
        var all = await Store.ListAsync(_container).Select(b => b.Path).ToListAsync();

        Assert.Equal(["p/2024-01-01/00-a.jsonl", "p/2024-01-01/00-b.jsonl"], day);
        Assert.Equal(4, all.Count);
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
    }

    [Fact]
    public async Task AppendAsync_SeveralBlocks_ConcatenatesInOrder()
    {
        await Store.AppendAsync(_container, "log/a.jsonl", Encoding.UTF8.GetBytes("{\"n\":1}\n"));
        await Store.AppendAsync(_container, "log/a.jsonl", Encoding.UTF8.GetBytes("{\"n\":2}\n"));

        var info = await Store.GetInfoAsync(_container, "log/a.jsonl");
        Assert.Equal(BlobKind.Append, info!.Kind);
        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", (await Store.ReadAllAsync(_container, "log/a.jsonl"))!.ToString());
    }

    [Fact]
    public async Task AppendAsync_ConcurrentAppenders_LoseNoBlock()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Store.AppendAsync(_container, "log/shared.jsonl", Encoding.UTF8.GetBytes($"{i}\n"))));

        var lines = (await Store.ReadAllAsync(_container, "log/shared.jsonl"))!.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 20), lines.Select(int.Parse).Order());
    }

    [Fact]
    public async Task AppendAsync_OnBlockBlob_ThrowsInvalidOperation()
    {
        await Store.PutAsync(_container, "block", Text("x"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AppendAsync(_container, "block", new byte[] { 1 }));
    }

    [Fact]
    public async Task CopyAsync_Immutable_CopiesContentAndMetadataOnceOnly()
    {
        await Store.PutAsync(_container, "src/a.csv", Text("a"), new BlobPutOptions { ContentType = "text/csv", Metadata = new Dictionary<string, string> { ["origin"] = "upload" } });
        var other = "d" + Guid.NewGuid().ToString("N")[..12];

        var first = await Store.CopyAsync(_container, "src/a.csv", other, "dst/a.csv");
        await Store.PutAsync(_container, "src/a.csv", Text("changed"), new BlobPutOptions { Overwrite = true });
        var second = await Store.CopyAsync(_container, "src/a.csv", other, "dst/a.csv");

        Assert.True(first.Written);
        Assert.Equal(BlobWriteStatus.AlreadyExists, second.Status);
        var info = await Store.GetInfoAsync(other, "dst/a.csv");
        Assert.Equal(("text/csv", "upload"), (info!.ContentType, info.Metadata["origin"]));
        Assert.Equal("a", (await Store.ReadAllAsync(other, "dst/a.csv"))!.ToString());
    }

    [Theory]
    [InlineData("Bad_Container", "x")]
    [InlineData("ok-container", "../escape")]
    [InlineData("ok-container", "a//b")]
    [InlineData("ok-container", "")]
    public async Task PutAsync_InvalidName_ThrowsArgumentException(string container, string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(container, path, Text("x")));
    }
}

public sealed class InMemoryBlobStoreTests : BlobStoreContract
{
    protected override BlobStore Store { get; } = new InMemoryBlobStore();

    [Fact]
    public async Task AppendAsync_BlobAtBlockLimit_ReturnsBlobFull()
    {
        var store = new InMemoryBlobStore { MaxAppendBlocks = 2 };
        await store.AppendAsync("logs", "a", new byte[] { 1 });
        await store.AppendAsync("logs", "a", new byte[] { 2 });

        Assert.Equal(BlobAppendStatus.BlobFull, await store.AppendAsync("logs", "a", new byte[] { 3 }));
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(Mlops.Testing.AzuriteFixture azurite) : BlobStoreContract
{
    protected override BlobStore Store { get; } = StorageAccount.FromConnectionString(azurite.ConnectionString).Blobs;
}
