using Mlops.Catalog.Datasets;
using Mlops.Core.Errors;
using Mlops.Testing;

namespace Mlops.Catalog.Tests.Datasets;

[Collection(AzuriteCollection.Name)]
public sealed class DatasetCatalogTests(AzuriteFixture azurite)
{
    private readonly CatalogServices _catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);

    private DatasetCatalog Datasets => _catalog.Datasets;

    private static AcceptedDataset Accepted(string project, string sha, long rows = 10) => new()
    {
        Project = project,
        Sha256 = sha,
        RowCount = rows,
        Schema = Samples.Schema,
        Profile = Samples.Profile(rows),
        Source = new DatasetSource("weather.csv", DateTimeOffset.UnixEpoch),
    };

    [Fact]
    public async Task StoreAcceptedAsync_RealCsvTwice_SameVersionAndCreatedFalse()
    {
        var project = Samples.Name("weather");
        var path = RepoPaths.Dataset("seattle-weather.csv");
        await using var hashStream = File.OpenRead(path);
        var sha = await DatasetCatalog.ComputeSha256Async(hashStream);

        await using var first = File.OpenRead(path);
        var v1 = await Datasets.StoreAcceptedAsync(Accepted(project, sha, 1461), first);
        await using var second = File.OpenRead(path);
        var again = await Datasets.StoreAcceptedAsync(Accepted(project, sha, 1461), second);

        Assert.Equal((1, true), (v1.Version, v1.Created));
        Assert.Equal((1, false, sha), (again.Version, again.Created, again.Sha256));
        Assert.Single(await Datasets.ListAsync(project).ToListAsync());
        Assert.Equal($"datasets/{project}/{sha}/data.csv", v1.Data.ToString());
        var blobs = await _catalog.Account.Blobs.ListAsync("datasets", $"{project}/{sha}/").Select(b => b.Path.Split('/')[^1]).ToListAsync();
        Assert.Equal(["data.csv", "profile.json", "schema.json"], blobs);
        await using var data = await Datasets.OpenDataAsync(project, sha);
        Assert.Equal(sha, await DatasetCatalog.ComputeSha256Async(data.Content));
        Assert.Equal(1461, (await Datasets.GetProfileAsync(project, sha)).RowCount);
    }

    [Fact]
    public async Task StoreAcceptedAsync_TenConcurrentUploads_TenGaplessVersionsNewestFirst()
    {
        var project = Samples.Name("many");

        var versions = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            CatalogServices.FromConnectionString(azurite.ConnectionString).Datasets
                .StoreAcceptedAsync(Accepted(project, Samples.Sha($"{project}-{i}")), new MemoryStream([(byte)i]))));

        Assert.Equal(Enumerable.Range(1, 10), versions.Select(v => v.Version).Order());
        var listed = await Datasets.ListAsync(project).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 10).Reverse(), listed.Select(v => v.Version));
        Assert.Equal(10, (await Datasets.FindLatestAsync(project))!.Version);
        Assert.Equal("temp_max", listed[0].Schema!.Columns[0].Name);
    }

    [Fact]
    public async Task StoreQuarantinedAsync_RejectedUploadTwice_KeepsBytesAndReportOnceAndNoVersion()
    {
        var project = Samples.Name("broken");
        var sha = Samples.Sha(project);
        var rejected = new QuarantinedDataset
        {
            Project = project,
            Sha256 = sha,
            Source = new DatasetSource("../bad file.csv", DateTimeOffset.UnixEpoch, "http"),
            Report = Samples.Json("""{"violations":[{"field":"weather","rule":"required"}]}"""),
            Reason = "Column 'weather' is missing.",
        };

        var first = await Datasets.StoreQuarantinedAsync(rejected, new MemoryStream("a,b\n1"u8.ToArray()));
        var second = await Datasets.StoreQuarantinedAsync(rejected, new MemoryStream("a,b\n1"u8.ToArray()));

        Assert.Equal((DatasetStatus.Quarantined, true, false), (first.Status, first.Created, second.Created));
        Assert.Equal($"quarantine/{project}/{sha}/bad_file.csv", first.Data.ToString());
        Assert.Contains("violations", (await _catalog.Account.Blobs.ReadAllAsync("quarantine", $"{project}/{sha}/report.json"))!.ToString());
        Assert.Equal("a,b\n1", (await _catalog.Account.Blobs.ReadAllAsync("quarantine", $"{project}/{sha}/bad_file.csv"))!.ToString());
        Assert.Empty(await Datasets.ListAsync(project).ToListAsync());
        Assert.Single(await Datasets.ListQuarantinedAsync(project));
    }

    [Fact]
    public async Task GetAsync_UnknownShaOrBadSha_ThrowsNotFoundOrInvalid()
    {
        var notFound = await Assert.ThrowsAsync<MlopsException>(() => Datasets.GetAsync("proj-x", Samples.Sha("nothing")));
        var invalid = await Assert.ThrowsAsync<MlopsException>(() => Datasets.GetAsync("proj-x", "ABC"));

        Assert.Equal(ErrorCode.NotFound, notFound.Code);
        Assert.Equal(("sha256", ErrorCode.InvalidInput), (invalid.Violations[0].Field, invalid.Code));
    }
}
