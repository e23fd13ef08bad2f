using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Data;
using Mlops.Pipeline.Ingestion;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Ingestion;

[Collection(StageTests.ProcessMemory.Collection)]
public sealed class DatasetIntakeTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string Spec = """{"target":"weather","task":"multiclass","ignore":["id"]}""";

    [Fact]
    public async Task IngestAsync_LargeForwardOnlyUpload_StoresEveryRowWithoutHoldingTheUploadInMemory()
    {
        var catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);
        var intake = new DatasetIntake(catalog, new DatasetIngestor(), TimeProvider.System);
        await catalog.Projects.PutAsync("intake-large", Spec);
        const long rows = 5_000_000;
        var upload = new GeneratedCsvStream(rows);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var peakBefore = process.PeakWorkingSet64;

        var result = await intake.IngestAsync("intake-large", "big.csv", "test", upload, default);

        Assert.True(result.Accepted, result.Dataset.Reason);
        Assert.Equal(rows, result.Dataset.RowCount);
        await using (var stored = await catalog.Datasets.OpenDataAsync("intake-large", result.Dataset.Sha256))
        {
            Assert.Equal(result.Dataset.Sha256, await DatasetCatalog.ComputeSha256Async(stored.Content));
        }

        // Held whole (as bytes, then as a canonical copy) the upload would raise the peak working set by twice its size;
        // streamed, the peak grows by buffers and GC budget only, whatever the size.
        process.Refresh();
        var growth = process.PeakWorkingSet64 - peakBefore;
        Assert.True(upload.BytesProduced > 100_000_000, $"only {upload.BytesProduced} bytes generated");
        Assert.True(growth < upload.BytesProduced / 2,
            $"peak working set grew by {growth / 1_000_000} MB while streaming {upload.BytesProduced / 1_000_000} MB");
    }

    [Fact]
    public async Task IngestAsync_RejectedForwardOnlyUpload_QuarantinesTheWholeUpload()
    {
        var catalog = CatalogServices.FromConnectionString(azurite.ConnectionString);
        var intake = new DatasetIntake(catalog, new DatasetIngestor(), TimeProvider.System);
        await catalog.Projects.PutAsync("intake-rejected", """{"target":"no_such_column","task":"multiclass"}""");
        var upload = new GeneratedCsvStream(5_000);

        var result = await intake.IngestAsync("intake-rejected", "bad.csv", "test", upload, default);

        Assert.False(result.Accepted);
        var expected = await DatasetCatalog.ComputeSha256Async(new GeneratedCsvStream(5_000));
        Assert.Equal(expected, result.Dataset.Sha256);
        Assert.Equal(DatasetStatus.Quarantined, result.Dataset.Status);
    }
}
