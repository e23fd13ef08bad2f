using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;

namespace Mlops.Data.Tests;

/// <summary>Real datasets from vega-datasets: accepted, typed and profiled as a person would expect.</summary>
public sealed class RealDataTests
{
    [Fact]
    public async Task IngestAsync_SeattleWeatherCsv_AcceptedWithSchemaAndProfile()
    {
        var canonical = new MemoryStream();
        var result = await TestData.IngestFileAsync(TestData.Vega("seattle-weather.csv"), TestData.Spec("weather", ignore: ["date"]), output: canonical);

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Empty(result.Report.Failures);
        Assert.Equal(1461, result.RowCount);
        Assert.Equal(
            [("date", ColumnKind.Date), ("precipitation", ColumnKind.Numeric), ("temp_max", ColumnKind.Numeric), ("temp_min", ColumnKind.Numeric), ("wind", ColumnKind.Numeric), ("weather", ColumnKind.Categorical)],
            result.Schema!.Columns.Select(c => (c.Name, c.Kind)));

        // The version id is the SHA-256 of exactly the bytes handed to the caller.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(canonical.ToArray())), result.Sha256);
        Assert.Equal(canonical.Length, result.CanonicalBytes);

        var profile = result.Profile!;
        Assert.Equal(1461, profile.RowCount);
        var weather = profile.Find("weather")!.Categorical!;
        Assert.Equal(5, weather.Distinct);
        Assert.Equal(1461, weather.TopCounts.Values.Sum());
        Assert.Equal(("rain", 641L), (weather.TopCounts.Keys.First(), weather.TopCounts["rain"])); // counted with `cut | sort | uniq -c`

        var tempMax = profile.Find("temp_max")!.Numeric!;
        Assert.Equal(-1.6, tempMax.Min);
        Assert.Equal(35.6, tempMax.Max);
        Assert.InRange(tempMax.Mean, 16.4, 16.5);
        Assert.InRange(tempMax.Std, 7.0, 7.5);
        Assert.InRange(tempMax.BinEdges.Count, 5, 9);
        Assert.Equal(tempMax.BinEdges.Count + 1, tempMax.BinFractions.Count);
        Assert.Equal(1.0, tempMax.BinFractions.Sum(), 9);
        Assert.Equal(1461, tempMax.Sample.Count); // fewer rows than the reservoir: every value
        Assert.Equal(tempMax.Sample.Order(), tempMax.Sample);
        Assert.Null(profile.Find("date")!.Numeric);
    }

    [Fact]
    public async Task IngestAsync_PenguinsJson_MissingValuesCountedNotRejected()
    {
        var result = await TestData.IngestFileAsync(TestData.Vega("penguins.json"), TestData.Spec("Species"));

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal("json", result.Report.Format);
        Assert.Equal(344, result.RowCount);
        Assert.Equal(ColumnKind.Categorical, result.Schema!.Find("Species")!.Kind);
        Assert.Equal(ColumnKind.Numeric, result.Schema.Find("Beak Length (mm)")!.Kind);
        Assert.True(result.Schema.Find("Beak Length (mm)")!.Nullable);
        var beak = result.Profile!.Find("Beak Length (mm)")!;
        Assert.Equal((342L, 2L), (beak.Count, beak.Nulls));
        var sex = result.Profile.Find("Sex")!;
        Assert.True(sex.Nulls > 0);
        Assert.Equal(ColumnKind.Categorical, sex.Kind);
        Assert.Equal(3, result.Profile.Find("Species")!.Categorical!.Distinct);
    }

    [Fact]
    public async Task IngestAsync_CarsJsonRegression_NullTargetsWarnedAndTextIgnored()
    {
        var result = await TestData.IngestFileAsync(TestData.Vega("cars.json"), TestData.Spec("Miles_per_Gallon", TaskKind.Regression));

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal(406, result.RowCount);
        var warning = Assert.Single(result.Report.Failures);
        Assert.Equal((DataRules.EmptyTarget, RuleSeverity.Warning, 8L), (warning.Rule, warning.Severity, warning.Count));
        Assert.Equal(ColumnKind.Text, result.Schema!.Find("Name")!.Kind);
        Assert.Equal(ColumnKind.Date, result.Schema.Find("Year")!.Kind);
        Assert.Equal(ColumnKind.Categorical, result.Schema.Find("Origin")!.Kind);
        Assert.Equal(6, result.Profile!.Find("Horsepower")!.Nulls);
        Assert.Null(result.Profile.Find("Name")!.Categorical);
    }

    [Fact]
    public async Task IngestAsync_CarsAsClassification_TextTargetBecomesCategorical()
    {
        var spec = TestData.Spec("Origin") with { Features = ["Name", "Horsepower"] };
        var result = await TestData.IngestFileAsync(TestData.Vega("cars.json"), spec);

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal(ColumnKind.Categorical, result.Schema!.Find("Name")!.Kind); // named by the spec, so profiled
        Assert.NotNull(result.Profile!.Find("Name")!.Categorical);
        Assert.Equal(50, result.Profile.Find("Name")!.Categorical!.TopCounts.Count);
    }

    [Fact]
    public async Task IngestAsync_SameUploadTwice_SameVersion()
    {
        var first = await TestData.IngestFileAsync(TestData.Vega("seattle-weather.csv"), TestData.Spec("weather"));
        var second = await TestData.IngestFileAsync(TestData.Vega("seattle-weather.csv"), TestData.Spec("weather"));

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(64, first.Sha256!.Length);
    }

    [Fact]
    public async Task IngestAsync_SameRowsAsCsvJsonAndJsonLines_SameVersion()
    {
        var lines = await File.ReadAllLinesAsync(TestData.Vega("seattle-weather.csv"));
        var header = lines[0].Split(',');
        var objects = lines.Skip(1).Select(l => l.Split(',')).Select(cells =>
            "{" + string.Join(",", header.Select((h, i) => $"\"{h}\":" + (double.TryParse(cells[i], System.Globalization.CultureInfo.InvariantCulture, out _) ? cells[i] : $"\"{cells[i]}\""))) + "}").ToList();
        var csvCrlf = string.Join("\r\n", lines) + "\r\n";

        var fromCsv = await TestData.IngestFileAsync(TestData.Vega("seattle-weather.csv"), TestData.Spec("weather"));
        var fromCrlf = await TestData.IngestTextAsync(csvCrlf, "text/csv", TestData.Spec("weather"));
        var fromJson = await TestData.IngestTextAsync("[" + string.Join(",\n", objects) + "]", "application/json", TestData.Spec("weather"));
        var fromLines = await TestData.IngestTextAsync(string.Join("\n", objects), "rows.jsonl", TestData.Spec("weather"));

        Assert.All(new[] { fromCrlf, fromJson, fromLines }, r => Assert.Equal(fromCsv.Sha256, r.Sha256));
        Assert.Equal("jsonl", fromLines.Report.Format);
    }

    [Fact]
    public async Task IngestAsync_DifferentRows_DifferentVersion()
    {
        var text = await File.ReadAllTextAsync(TestData.Vega("seattle-weather.csv"));
        var a = await TestData.IngestTextAsync(text, "a.csv", TestData.Spec("weather"));
        var b = await TestData.IngestTextAsync(text.Replace("2012-01-01,0.0,12.8", "2012-01-01,0.0,12.9", StringComparison.Ordinal), "a.csv", TestData.Spec("weather"));

        Assert.NotEqual(a.Sha256, b.Sha256);
    }

    [Fact]
    public async Task ReadCanonicalCsvAsync_StoredVersion_TypedTable()
    {
        var canonical = new MemoryStream();
        var result = await TestData.IngestFileAsync(TestData.Vega("penguins.json"), TestData.Spec("Species"), output: canonical);
        canonical.Position = 0;

        var table = await DatasetReader.ReadCanonicalCsvAsync(canonical, result.Schema!);

        Assert.Equal(344, table.RowCount);
        var beak = Assert.IsType<NumericColumn>(table["Beak Length (mm)"]);
        Assert.Equal(39.1, beak.Values[0]);
        Assert.Equal(2, beak.Values.Count(double.IsNaN));
        var species = Assert.IsType<StringColumn>(table["Species"]);
        Assert.Equal("Adelie", species.Values[0]);
        Assert.Equal(result.Schema!.Columns, table.Schema.Columns);
    }

    [Fact]
    public async Task IngestAsync_FlightsParquetThroughNonSeekableStream_AcceptedWithRowGroups()
    {
        await using var file = File.OpenRead(TestData.Vega("flights-3m.parquet"));
        var trickle = new TestData.TrickleStream(file, 64 * 1024);

        var result = await new DatasetIngestor().IngestAsync(trickle, "flights-3m.parquet", TestData.Spec("delay", TaskKind.Regression));

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal(3_000_000, result.RowCount);
        Assert.Equal(
            [("date", ColumnKind.Date), ("delay", ColumnKind.Numeric), ("distance", ColumnKind.Numeric), ("origin", ColumnKind.Categorical), ("destination", ColumnKind.Categorical)],
            result.Schema!.Columns.Select(c => (c.Name, c.Kind)));
        var delay = result.Profile!.Find("delay")!.Numeric!;
        Assert.Equal(2_000, delay.Sample.Count);
        Assert.Equal(1.0, delay.BinFractions.Sum(), 9);
        Assert.Equal(50, result.Profile.Find("origin")!.Categorical!.TopCounts.Count);
    }

    [Fact]
    public async Task IngestAsync_MultiByteCharactersSplitAcrossReads_NotBadEncoding()
    {
        var rows = string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i % 2 == 0 ? "Zürich ✓" : "São Paulo 𝄞")}\n"));
        await using var bytes = new MemoryStream(Encoding.UTF8.GetBytes("n,city\n" + rows));

        var result = await new DatasetIngestor().IngestAsync(new TestData.TrickleStream(bytes, 1), "x.csv", TestData.Spec("city"));

        Assert.Equal(Verdict.Accepted, result.Verdict);
        Assert.Equal(["São Paulo 𝄞", "Zürich ✓"], result.Profile!.Find("city")!.Categorical!.TopCounts.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReportJson_CamelCaseWithStableNames()
    {
        var report = new ValidationReport
        {
            Verdict = Verdict.Rejected,
            Format = "csv",
            Bytes = 10,
            RowCount = 2,
            ColumnCount = 1,
            Failures = [new RuleFailure(DataRules.RaggedRow, RuleSeverity.Error, null, 1, [2], "m")],
        };

        var json = JsonSerializer.Serialize(report, SpecJson.Options);

        Assert.Equal("""{"formatVersion":1,"verdict":"rejected","format":"csv","bytes":10,"rowCount":2,"columnCount":1,"failures":[{"rule":"ragged-row","severity":"error","count":1,"firstRows":[2],"message":"m"}]}""", json);
    }
}
