using System.Text.Json.Serialization;
using Mlops.Core.Errors;

namespace Mlops.Data;

/// <summary>Whether a dataset was accepted as a new version.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    /// <summary>No error-level rule failed: the data becomes a version.</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>At least one error-level rule failed: the upload goes to quarantine with its report.</summary>
    [JsonStringEnumMemberName("rejected")] Rejected,
}

/// <summary>How much a failed rule matters.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RuleSeverity>))]
public enum RuleSeverity
{
    /// <summary>Reported; does not reject.</summary>
    [JsonStringEnumMemberName("warning")] Warning,
    /// <summary>Rejects the dataset.</summary>
    [JsonStringEnumMemberName("error")] Error,
}

/// <summary>One rule a dataset broke.</summary>
/// <param name="Rule">Stable rule id (see <see cref="DataRules"/>).</param>
/// <param name="Severity">Error rejects; warning does not.</param>
/// <param name="Column">The column concerned, or null for file-level rules.</param>
/// <param name="Count">How many rows (or values, or occurrences) broke it.</param>
/// <param name="FirstRows">The first row numbers that broke it (1-based data rows, header not counted); empty for file-level rules.</param>
/// <param name="Message">A sentence for a person. Never echoes cell values.</param>
public sealed record RuleFailure(string Rule, RuleSeverity Severity, string? Column, long Count, IReadOnlyList<long> FirstRows, string Message);

/// <summary>The result of validating one upload (stored as <c>report.json</c>; a wire contract: add fields, never rename).</summary>
public sealed record ValidationReport
{
    /// <summary>Format version of this document.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Accepted or rejected.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>The format read: csv, json, jsonl, parquet (or the hint when unknown).</summary>
    public required string Format { get; init; }

    /// <summary>Bytes read from the upload.</summary>
    public required long Bytes { get; init; }

    /// <summary>Data rows read (header not counted; a read stopped by a fatal error counts the rows before it).</summary>
    public required long RowCount { get; init; }

    /// <summary>Columns in the header.</summary>
    public required int ColumnCount { get; init; }

    /// <summary>Every failed rule, errors first, then in file order of columns.</summary>
    public required IReadOnlyList<RuleFailure> Failures { get; init; }

    /// <summary>The failed rules as <see cref="RuleViolation"/>s (errors only unless <paramref name="includeWarnings"/>), for an <see cref="MlopsException"/>.</summary>
    public IReadOnlyList<RuleViolation> ToViolations(bool includeWarnings = false) =>
        Failures.Where(f => includeWarnings || f.Severity == RuleSeverity.Error)
            .Select(f => new RuleViolation(f.Column ?? "file", f.Rule, f.Message))
            .ToList();
}
