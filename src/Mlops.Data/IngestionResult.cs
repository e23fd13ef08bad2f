using Mlops.Core.Data;

namespace Mlops.Data;

/// <summary>What one ingestion pass found: the verdict and report, and for accepted data the version id, schema and profile.</summary>
public sealed record IngestionResult
{
    /// <summary>Accepted or rejected (same as <c>Report.Verdict</c>).</summary>
    public Verdict Verdict => Report.Verdict;

    /// <summary>True when accepted.</summary>
    public bool IsAccepted => Report.Verdict == Verdict.Accepted;

    /// <summary>Every failed rule (JSON-serialisable; stored as <c>report.json</c>).</summary>
    public required ValidationReport Report { get; init; }

    /// <summary>
    /// Lower-case hex SHA-256 of the canonical CSV bytes: the content-addressed version id. Null when rejected
    /// (a rejected upload is not a version; its canonical output is incomplete and must be discarded).
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>Length of the canonical CSV in bytes (what was written to the caller's output stream); 0 when rejected.</summary>
    public long CanonicalBytes { get; init; }

    /// <summary>The inferred (and, against the previous version, reconciled) schema; null when the file could not be read as a table.</summary>
    public DatasetSchema? Schema { get; init; }

    /// <summary>The profile of the data; null when the file could not be read as a table.</summary>
    public DatasetProfile? Profile { get; init; }

    /// <summary>Data rows read.</summary>
    public long RowCount => Report.RowCount;
}
