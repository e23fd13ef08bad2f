using Mlops.Features.Offline;

namespace Mlops.Features.Tests;

public sealed class EntityKeyTests
{
    [Theory]
    [InlineData(new[] { "DTW" }, "DTW")]
    [InlineData(new[] { "DTW", "LAS" }, "DTW|LAS")]
    [InlineData(new[] { "a|b", "50%" }, "a%7Cb|50%25")]
    public void Join_SplitsBackIntoItsValues(string[] values, string key)
    {
        Assert.Equal(key, EntityKey.Join(values));
        Assert.Equal(values, EntityKey.Split(key));
    }

    [Fact]
    public void Join_MissingValue_IsNoEntity() => Assert.Null(EntityKey.Join(["DTW", ""]));

    [Fact]
    public void ToRowKey_EscapesCharactersTablesForbid() => Assert.Equal("a%2Fb%23c%3F", EntityKey.ToRowKey("a/b#c?"));

    [Fact]
    public void BucketOf_IsStableAcrossProcesses() =>
        // FNV-1a, not string.GetHashCode (randomised per process): every activity must agree on an entity's bucket.
        Assert.Equal(new[] { 6, 7, 0 }, new[] { "DTW", "LAS", "ORD" }.Select(k => Mlops.Features.Materialization.Materializer.BucketOf(k, 8)));
}
