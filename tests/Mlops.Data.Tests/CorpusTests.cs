using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;

namespace Mlops.Data.Tests;

/// <summary>Every broken file of the corpus gets the right rule in a rejected report, never an exception.</summary>
public sealed class CorpusTests
{
    private static readonly DatasetSchema Previous = new([
        new ColumnSchema("f1", ColumnKind.Numeric, false),
        new ColumnSchema("cat", ColumnKind.Categorical, false),
        new ColumnSchema("label", ColumnKind.Categorical, false),
    ]);

    public static TheoryData<string, string, long?> RejectedFiles => new()
    {
        { "empty-file.csv", DataRules.EmptyFile, null },
        { "empty-file-whitespace.csv", DataRules.EmptyFile, null },
        { "empty-file.json", DataRules.EmptyFile, null },
        { "bad-encoding.csv", DataRules.BadEncoding, null },
        { "nul-bytes.csv", DataRules.BadEncoding, null },
        { "binary-garbage.csv", DataRules.BadEncoding, null },
        { "binary-garbage.json", DataRules.BadEncoding, null },
        { "binary-garbage.parquet", DataRules.MalformedFile, null },
        { "truncated.parquet", DataRules.MalformedFile, null },
        { "bad-footer.parquet", DataRules.MalformedFile, null },
        { "empty-header.csv", DataRules.EmptyHeader, null },
        { "duplicate-header.csv", DataRules.DuplicateHeader, null },
        { "ragged-row.csv", DataRules.RaggedRow, 6 },
        { "missing-target.csv", DataRules.MissingTarget, null },
        { "empty-target.csv", DataRules.EmptyTarget, 1 },
        { "unparseable-number.csv", DataRules.UnparseableNumber, 8 },
        { "null-fraction.csv", DataRules.NullFraction, 2 },
        { "too-few-rows.csv", DataRules.TooFewRows, null },
        { "target-classes.csv", DataRules.TargetClasses, null },
        { "truncated.csv", DataRules.MalformedFile, 13 },
        { "stray-quote.csv", DataRules.MalformedFile, 7 },
        { "truncated.json", DataRules.MalformedFile, 13 },
        { "truncated.jsonl", DataRules.MalformedFile, 13 },
        { "not-array.json", DataRules.WrongShape, null },
        { "array-of-numbers.json", DataRules.WrongShape, 1 },
        { "nested-value.json", DataRules.WrongShape, 1 },
        { "unknown-key.json", DataRules.RaggedRow, 6 },
        { "unsupported.xlsx", DataRules.UnsupportedFormat, null },
    };

    [Theory]
    [MemberData(nameof(RejectedFiles))]
    public async Task IngestAsync_BrokenFile_RejectedWithRule(string file, string rule, long? firstRow)
    {
        var spec = TestData.Spec("label", file == "target-classes.csv" ? TaskKind.Binary : TaskKind.Multiclass);

        var result = await TestData.IngestFileAsync(TestData.Corpus(file), spec);

        Assert.Equal(Verdict.Rejected, result.Verdict);
        Assert.Null(result.Sha256);
        var failure = Assert.Single(result.Report.Failures, f => f.Rule == rule);
        Assert.Equal(RuleSeverity.Error, failure.Severity);
        Assert.True(failure.Count >= 1);
        Assert.False(string.IsNullOrWhiteSpace(failure.Message));
        if (firstRow is not null)
        {
            Assert.Equal(firstRow, failure.FirstRows[0]);
        }

        // The report is a wire document: it must round-trip through JSON.
        var json = JsonSerializer.Serialize(result.Report, Mlops.Core.Projects.SpecJson.Options);
        Assert.Contains($"\"rule\":\"{rule}\"", json);
        Assert.Contains("\"verdict\":\"rejected\"", json);
    }

    [Fact]
    public async Task IngestAsync_ColumnChangedKind_TypeMismatch()
    {
        var result = await TestData.IngestFileAsync(TestData.Corpus("type-mismatch.csv"), TestData.Spec("label", TaskKind.Binary), Previous);

        Assert.Equal(Verdict.Rejected, result.Verdict);
        var failure = Assert.Single(result.Report.Failures, f => f.Rule == DataRules.TypeMismatch);
        Assert.Equal("f1", failure.Column);
    }

    [Fact]
    public async Task IngestAsync_PreviousColumnMissing_MissingColumn()
    {
        var result = await TestData.IngestFileAsync(TestData.Corpus("missing-column.csv"), TestData.Spec("label", TaskKind.Binary), Previous);

        Assert.Equal(Verdict.Rejected, result.Verdict);
        Assert.Equal("cat", Assert.Single(result.Report.Failures, f => f.Rule == DataRules.MissingColumn).Column);
    }

    [Fact]
    public async Task IngestAsync_NewColumn_WarningOnlyAndAccepted()
    {
        var result = await TestData.IngestFileAsync(TestData.Corpus("unseen-column.csv"), TestData.Spec("label", TaskKind.Binary), Previous);

        Assert.Equal(Verdict.Accepted, result.Verdict);
        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal((DataRules.UnseenColumn, RuleSeverity.Warning, "brand_new"), (failure.Rule, failure.Severity, failure.Column));
        Assert.NotNull(result.Sha256);
    }

    [Fact]
    public async Task IngestAsync_RaggedRows_CountsBothAndListsRows()
    {
        var result = await TestData.IngestFileAsync(TestData.Corpus("ragged-row.csv"), TestData.Spec("label"));

        var failure = Assert.Single(result.Report.Failures, f => f.Rule == DataRules.RaggedRow);
        Assert.Equal(2, failure.Count);
        Assert.Equal([6L, 12L], failure.FirstRows);
        Assert.Equal(14, result.RowCount);
    }

    [Fact]
    public async Task IngestAsync_UnparseableNumbers_CountsAndRows()
    {
        var result = await TestData.IngestFileAsync(TestData.Corpus("unparseable-number.csv"), TestData.Spec("label", TaskKind.Multiclass));

        var failure = Assert.Single(result.Report.Failures, f => f.Rule == DataRules.UnparseableNumber);
        Assert.Equal(("f1", 2L), (failure.Column, failure.Count));
        Assert.Equal([8L, 22L], failure.FirstRows);
        Assert.Equal(ColumnKind.Numeric, result.Schema!.Find("f1")!.Kind);
    }

    [Fact]
    public async Task IngestAsync_EveryCorpusFileThroughTrickleStream_NeverThrows()
    {
        // Same files, but arriving 7 bytes at a time from a non-seekable stream (a network body): no crash, same verdicts.
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus")))
        {
            await using var inner = File.OpenRead(file);
            var trickle = new TestData.TrickleStream(inner, 7);
            var result = await new DatasetIngestor().IngestAsync(trickle, Path.GetFileName(file), TestData.Spec("label", TaskKind.Binary), Previous);
            Assert.NotNull(result.Report);
            var name = Path.GetFileName(file);
            Assert.True(name == "unseen-column.csv" || result.Verdict == Verdict.Rejected, name);
        }
    }
}
