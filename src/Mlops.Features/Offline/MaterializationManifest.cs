using Mlops.Features.Computation;

namespace Mlops.Features.Offline;

/// <summary>
/// What one materialisation wrote to the offline store: the view version, the source partitions it read (with their
/// sha256), the Parquet files by date with their row counts, and the event-time range. Immutable once written; joins and
/// runs name it as their lineage. A versioned wire contract (<see cref="FormatVersion"/>).
/// </summary>
public sealed record MaterializationManifest
{
    /// <summary>The manifest format; bumped only on a breaking change.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>The project that declared the view.</summary>
    public required string Project { get; init; }

    /// <summary>The view.</summary>
    public required string View { get; init; }

    /// <summary>The view version computed.</summary>
    public required int ViewVersion { get; init; }

    /// <summary>A hash of the view version and the source partitions: the same inputs give the same id, files and manifest.</summary>
    public required string MaterializationId { get; init; }

    /// <summary>When the manifest was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The source it read.</summary>
    public required ManifestSource Source { get; init; }

    /// <summary>The entity key columns (Parquet columns of the same names).</summary>
    public required IReadOnlyList<string> EntityColumns { get; init; }

    /// <summary>The event-time column (a UTC timestamp column of the same name).</summary>
    public required string TimestampColumn { get; init; }

    /// <summary>The feature columns and their types.</summary>
    public required IReadOnlyList<FeatureColumn> Features { get; init; }

    /// <summary>Feature rows written (one per source row with a key and a valid event time).</summary>
    public required long Rows { get; init; }

    /// <summary>Distinct entities.</summary>
    public required long Entities { get; init; }

    /// <summary>Earliest and latest event time; null when no rows.</summary>
    public TimeRange? TimeRange { get; init; }

    /// <summary>The Parquet files, by date then bucket.</summary>
    public required IReadOnlyList<ManifestFile> Files { get; init; }
}

/// <summary>The source of a materialisation.</summary>
/// <param name="Kind"><c>project</c> or <c>stream</c>.</param>
/// <param name="Name">The project or stream name.</param>
/// <param name="Partitions">Each partition read, oldest first.</param>
public sealed record ManifestSource(string Kind, string Name, IReadOnlyList<ManifestPartition> Partitions);

/// <summary>One source partition (a dataset version or a stream upload).</summary>
/// <param name="Sha256">Its content address.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="Skipped">Rows left out: no entity key or no valid event time.</param>
public sealed record ManifestPartition(string Sha256, long Rows, long Skipped);

/// <summary>An event-time range.</summary>
/// <param name="From">Earliest.</param>
/// <param name="To">Latest.</param>
public sealed record TimeRange(DateTimeOffset From, DateTimeOffset To);

/// <summary>One Parquet file of a materialisation.</summary>
/// <param name="Path">Its path in the <c>features</c> container.</param>
/// <param name="Date">The UTC date of its rows' event times (<c>yyyy-MM-dd</c>).</param>
/// <param name="Rows">Its rows.</param>
public sealed record ManifestFile(string Path, string Date, long Rows);
