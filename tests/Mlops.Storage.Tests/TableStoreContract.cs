namespace Mlops.Storage.Tests;

/// <summary>The behaviour every <see cref="TableStore"/> must have; run against each implementation.</summary>
public abstract class TableStoreContract
{
    protected abstract TableStore Store { get; }

    private readonly string _table = "t" + Guid.NewGuid().ToString("N")[..12];

    private static TableRow Row(string pk, string rk, params (string Name, object Value)[] props) =>
        new(pk, rk, props.Select(p => new KeyValuePair<string, object>(p.Name, p.Value)));

    [Fact]
    public async Task GetAsync_MissingRow_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(_table, "p", "missing"));
    }

    [Fact]
    public async Task InsertIfAbsentAsync_NewRow_RoundTripsEveryPropertyType()
    {
        var when = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var id = Guid.NewGuid();
        var result = await Store.InsertIfAbsentAsync(_table, Row("p", "r",
            ("S", "text ü"), ("I", 42), ("L", 5_000_000_000L), ("D", 2.0), ("F", 0.125), ("B", true), ("T", when), ("G", id)));

        Assert.True(result.Succeeded);
        Assert.NotNull(result.ETag);
        var row = await Store.GetAsync(_table, "p", "r");
        Assert.NotNull(row);
        Assert.Equal(result.ETag, row.ETag);
        Assert.NotNull(row.Timestamp);
        Assert.Equal("text ü", row.GetString("S"));
        Assert.Equal(42, row.GetInt32("I"));
        Assert.Equal(5_000_000_000L, row.GetInt64("L"));
        Assert.Equal(2.0, row.GetDouble("D"));
        Assert.Equal(0.125, row.GetDouble("F"));
        Assert.True(row.GetBoolean("B"));
        Assert.Equal(when, row.GetDateTimeOffset("T"));
        Assert.Equal(id, row.Properties["G"]);
        Assert.Equal(8, row.Properties.Count);
    }

    [Fact]
    public async Task InsertIfAbsentAsync_ExistingRow_ReturnsConflictAndKeepsOriginal()
    {
        await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", "first")));

        var second = await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", "second")));

        Assert.Equal(TableWriteStatus.Conflict, second.Status);
        Assert.Equal("first", (await Store.GetAsync(_table, "p", "r"))!.GetString("V"));
    }

    [Fact]
    public async Task ReplaceIfMatchAsync_CurrentETag_ReplacesAndReturnsNewETag()
    {
        var inserted = await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", 1), ("Gone", "x")));

        var replaced = await Store.ReplaceIfMatchAsync(_table, Row("p", "r", ("V", 2)), inserted.ETag!);

        Assert.True(replaced.Succeeded);
        Assert.NotEqual(inserted.ETag, replaced.ETag);
        var row = (await Store.GetAsync(_table, "p", "r"))!;
        Assert.Equal(2, row.GetInt32("V"));
        Assert.False(row.Properties.ContainsKey("Gone"));
    }

    [Fact]
    public async Task ReplaceIfMatchAsync_StaleETag_ReturnsPreconditionFailedAndKeepsWinner()
    {
        var inserted = await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", 1)));
        var first = await Store.ReplaceIfMatchAsync(_table, Row("p", "r", ("V", 2)), inserted.ETag!);

        var stale = await Store.ReplaceIfMatchAsync(_table, Row("p", "r", ("V", 3)), inserted.ETag!);

        Assert.True(first.Succeeded);
        Assert.Equal(TableWriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(2, (await Store.GetAsync(_table, "p", "r"))!.GetInt32("V"));
    }

    [Fact]
    public async Task ReplaceIfMatchAsync_MissingRow_ReturnsNotFound()
    {
        var inserted = await Store.InsertIfAbsentAsync(_table, Row("p", "other"));

        var result = await Store.ReplaceIfMatchAsync(_table, Row("p", "missing"), inserted.ETag!);

        Assert.Equal(TableWriteStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task ReplaceIfMatchAsync_ConcurrentWritersWithSameETag_ExactlyOneWins()
    {
        var inserted = await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", 0)));

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Store.ReplaceIfMatchAsync(_table, Row("p", "r", ("V", i)), inserted.ETag!)));

        Assert.Single(results, r => r.Succeeded);
        Assert.Equal(7, results.Count(r => r.Status == TableWriteStatus.PreconditionFailed));
    }

    [Fact]
    public async Task UpsertAsync_Merge_KeepsPropertiesNotGiven()
    {
        await Store.UpsertAsync(_table, Row("p", "r", ("A", "a"), ("B", "b")));

        await Store.UpsertAsync(_table, Row("p", "r", ("B", "b2"), ("C", "c")), UpsertMode.Merge);

        var row = (await Store.GetAsync(_table, "p", "r"))!;
        Assert.Equal(("a", "b2", "c"), (row.GetString("A"), row.GetString("B"), row.GetString("C")));
    }

    [Fact]
    public async Task UpsertAsync_Replace_DropsPropertiesNotGiven()
    {
        await Store.UpsertAsync(_table, Row("p", "r", ("A", "a"), ("B", "b")));

        var result = await Store.UpsertAsync(_table, Row("p", "r", ("B", "b2")));

        Assert.True(result.Succeeded);
        var row = (await Store.GetAsync(_table, "p", "r"))!;
        Assert.Equal(["B"], row.Properties.Keys);
    }

    [Fact]
    public async Task DeleteAsync_StaleETag_ReturnsPreconditionFailedAndKeepsRow()
    {
        var inserted = await Store.InsertIfAbsentAsync(_table, Row("p", "r", ("V", 1)));
        await Store.UpsertAsync(_table, Row("p", "r", ("V", 2)));

        var stale = await Store.DeleteAsync(_table, "p", "r", inserted.ETag);
        var missing = await Store.DeleteAsync(_table, "p", "nothing");
        var unconditional = await Store.DeleteAsync(_table, "p", "r");

        Assert.Equal(TableWriteStatus.PreconditionFailed, stale.Status);
        Assert.Equal(TableWriteStatus.NotFound, missing.Status);
        Assert.True(unconditional.Succeeded);
        Assert.Null(await Store.GetAsync(_table, "p", "r"));
    }

    [Fact]
    public async Task QueryAsync_PrefixRange_ReturnsOnlyThatPartitionAndPrefixInKeyOrder()
    {
        foreach (var rk in new[] { "b|2", "a|1", "b|1", "b}", "c" })
        {
            await Store.InsertIfAbsentAsync(_table, Row("p", rk));
        }

        await Store.InsertIfAbsentAsync(_table, Row("q", "b|3"));

        var prefixed = await Store.QueryAsync(_table, "p", RowKeyRange.Prefix("b|")).Select(r => r.RowKey).ToListAsync();
        var all = await Store.QueryAsync(_table, "p").Select(r => r.RowKey).ToListAsync();
        var range = await Store.QueryAsync(_table, "p", new RowKeyRange("b|1", "c")).Select(r => r.RowKey).ToListAsync();

        Assert.Equal(["b|1", "b|2"], prefixed);
        Assert.Equal(["a|1", "b|1", "b|2", "b}", "c"], all);
        Assert.Equal(["b|1", "b|2", "b}"], range);
    }

    [Fact]
    public async Task QueryAsync_MoreRowsThanOnePage_ReturnsAll()
    {
        for (var start = 0; start < 1200; start += 100)
        {
            var batch = Enumerable.Range(start, 100).Select(i => TableOperation.Insert(Row("big", i.ToString("D5")))).ToList();
            Assert.True((await Store.SubmitBatchAsync(_table, batch)).Succeeded);
        }

        var keys = await Store.QueryAsync(_table, "big").Select(r => r.RowKey).ToListAsync();

        Assert.Equal(Enumerable.Range(0, 1200).Select(i => i.ToString("D5")), keys);
    }

    [Fact]
    public async Task SubmitBatchAsync_AllConditionsHold_AppliesAllAndReturnsETags()
    {
        var counter = await Store.InsertIfAbsentAsync(_table, Row("m", "counter", ("N", 1)));

        var result = await Store.SubmitBatchAsync(_table,
        [
            TableOperation.Replace(Row("m", "counter", ("N", 2)), counter.ETag),
            TableOperation.Insert(Row("m", "v2")),
            TableOperation.Upsert(Row("m", "latest", ("N", 2))),
        ]);

        Assert.True(result.Succeeded);
        Assert.Equal(3, result.ETags.Count);
        Assert.All(result.ETags, Assert.NotNull);
        Assert.Equal(result.ETags[0], (await Store.GetAsync(_table, "m", "counter"))!.ETag);
        Assert.NotNull(await Store.GetAsync(_table, "m", "v2"));
    }

    [Fact]
    public async Task SubmitBatchAsync_OneInsertConflicts_AppliesNothingAndNamesTheOperation()
    {
        var counter = await Store.InsertIfAbsentAsync(_table, Row("m", "counter", ("N", 1)));
        await Store.InsertIfAbsentAsync(_table, Row("m", "run|x", ("V", 1)));

        var result = await Store.SubmitBatchAsync(_table,
        [
            TableOperation.Replace(Row("m", "counter", ("N", 2)), counter.ETag),
            TableOperation.Insert(Row("m", "v2")),
            TableOperation.Insert(Row("m", "run|x", ("V", 2))),
        ]);

        Assert.Equal(TableWriteStatus.Conflict, result.Status);
        Assert.Equal(2, result.FailedIndex);
        Assert.Equal(1, (await Store.GetAsync(_table, "m", "counter"))!.GetInt32("N"));
        Assert.Null(await Store.GetAsync(_table, "m", "v2"));
    }

    [Fact]
    public async Task SubmitBatchAsync_StaleETag_ReturnsPreconditionFailedAndAppliesNothing()
    {
        var counter = await Store.InsertIfAbsentAsync(_table, Row("m", "counter", ("N", 1)));
        await Store.UpsertAsync(_table, Row("m", "counter", ("N", 5)));

        var result = await Store.SubmitBatchAsync(_table,
        [
            TableOperation.Insert(Row("m", "v2")),
            TableOperation.Replace(Row("m", "counter", ("N", 2)), counter.ETag),
        ]);

        Assert.Equal(TableWriteStatus.PreconditionFailed, result.Status);
        Assert.Null(await Store.GetAsync(_table, "m", "v2"));
    }

    [Fact]
    public async Task SubmitBatchAsync_ReplaceWithoutETagOnMissingRow_ReturnsNotFound()
    {
        var result = await Store.SubmitBatchAsync(_table, [TableOperation.Replace(Row("m", "absent"), null)]);

        Assert.Equal(TableWriteStatus.NotFound, result.Status);
    }

    [Fact]
    public async Task SubmitBatchAsync_MixedPartitionsOrOverLimit_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SubmitBatchAsync(_table, [TableOperation.Insert(Row("a", "1")), TableOperation.Insert(Row("b", "1"))]));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SubmitBatchAsync(_table, Enumerable.Range(0, 101).Select(i => TableOperation.Insert(Row("a", i.ToString()))).ToList()));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SubmitBatchAsync(_table, [TableOperation.Insert(Row("a", "1")), TableOperation.Upsert(Row("a", "1"))]));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    public async Task InsertIfAbsentAsync_ForbiddenKeyCharacter_ThrowsArgumentException(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertIfAbsentAsync(_table, Row("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertIfAbsentAsync(_table, Row(key, "r")));
    }

    [Fact]
    public async Task InsertIfAbsentAsync_OversizedStringOrBadTable_ThrowsArgumentException()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertIfAbsentAsync(_table, Row("p", "r", ("S", new string('x', TableRow.MaxStringLength + 1)))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertIfAbsentAsync("bad-name", Row("p", "r")));
    }
}

public sealed class InMemoryTableStoreTests : TableStoreContract
{
    protected override TableStore Store { get; } = new InMemoryTableStore();
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureTableStoreTests(Mlops.Testing.AzuriteFixture azurite) : TableStoreContract
{
    protected override TableStore Store { get; } = StorageAccount.FromConnectionString(azurite.ConnectionString).Tables;
}
