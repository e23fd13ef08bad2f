using System.Globalization;

namespace Mlops.Storage;

/// <summary>
/// One entity of a table: addressed by (partition key, row key), holding a bag of typed properties and the
/// opaque ETag the store gave it. Property values are <see cref="string"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/> or <see cref="Guid"/> (the types Azure Table storage keeps).
/// </summary>
public sealed class TableRow
{
    /// <summary>Azure keeps a string property in at most 64 KiB of UTF-16.</summary>
    public const int MaxStringLength = 32 * 1024;

    /// <summary>Azure allows 255 properties, three of which are the keys and the timestamp.</summary>
    public const int MaxProperties = 252;

    /// <summary>Creates a row with the given keys and properties (copied).</summary>
    public TableRow(string partitionKey, string rowKey, IEnumerable<KeyValuePair<string, object>>? properties = null, string? etag = null, DateTimeOffset? timestamp = null)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Properties = properties is null ? new Dictionary<string, object>(StringComparer.Ordinal) : new Dictionary<string, object>(properties, StringComparer.Ordinal);
        ETag = etag;
        Timestamp = timestamp;
    }

    /// <summary>The partition: rows of one partition can be written together atomically and queried cheaply.</summary>
    public string PartitionKey { get; }

    /// <summary>The row's key inside its partition; rows are returned in ordinal order of this key.</summary>
    public string RowKey { get; }

    /// <summary>The properties. Mutable on a row being built; treat rows read from a store as snapshots.</summary>
    public Dictionary<string, object> Properties { get; }

    /// <summary>The store's version tag of the row as read or written; null on a row not yet stored.</summary>
    public string? ETag { get; }

    /// <summary>When the store last wrote the row; null on a row not yet stored.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>Sets a property (fluent). A null value removes it, since tables do not store nulls.</summary>
    public TableRow Set(string name, object? value)
    {
        if (value is null)
        {
            Properties.Remove(name);
        }
        else
        {
            Properties[name] = value;
        }

        return this;
    }

    /// <summary>A string property, or null when absent.</summary>
    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v as string ?? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    /// <summary>A whole-number property (stored as Int32 or Int64), or null when absent.</summary>
    public long? GetInt64(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        long l => l,
        int i => i,
        double d => (long)d,
        string s => long.Parse(s, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"Property '{name}' of row '{PartitionKey}/{RowKey}' is a {v.GetType().Name}, not a number."),
    } : null;

    /// <summary>A 32-bit whole-number property, or null when absent.</summary>
    public int? GetInt32(string name) => GetInt64(name) is { } l ? checked((int)l) : null;

    /// <summary>A floating-point property, or null when absent.</summary>
    public double? GetDouble(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        double d => d,
        long l => l,
        int i => i,
        string s => double.Parse(s, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"Property '{name}' of row '{PartitionKey}/{RowKey}' is a {v.GetType().Name}, not a number."),
    } : null;

    /// <summary>A boolean property, or null when absent.</summary>
    public bool? GetBoolean(string name) => Properties.TryGetValue(name, out var v) ? (bool)v : null;

    /// <summary>A date-time property, or null when absent.</summary>
    public DateTimeOffset? GetDateTimeOffset(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        DateTimeOffset d => d,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"Property '{name}' of row '{PartitionKey}/{RowKey}' is a {v.GetType().Name}, not a date."),
    } : null;

    /// <summary>A copy of this row carrying another ETag and timestamp (what a store hands back).</summary>
    internal TableRow WithVersion(string etag, DateTimeOffset timestamp) => new(PartitionKey, RowKey, Properties, etag, timestamp);

    /// <summary>Checks the keys and properties against Azure Table storage's rules, so both stores reject the same rows.</summary>
    internal void Validate()
    {
        StorageNames.RequireKey(PartitionKey, nameof(PartitionKey));
        StorageNames.RequireKey(RowKey, nameof(RowKey));
        if (Properties.Count > MaxProperties)
        {
            throw new ArgumentException($"Row '{PartitionKey}/{RowKey}' has {Properties.Count} properties; at most {MaxProperties} are allowed.");
        }

        foreach (var (name, value) in Properties)
        {
            StorageNames.RequirePropertyName(name);
            switch (value)
            {
                case string s when s.Length > MaxStringLength:
                    throw new ArgumentException($"Property '{name}' of row '{PartitionKey}/{RowKey}' is {s.Length} characters; at most {MaxStringLength} are allowed.");
                case string or int or long or double or bool or DateTimeOffset or Guid:
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' of row '{PartitionKey}/{RowKey}' is a {value.GetType().Name}; use string, int, long, double, bool, DateTimeOffset or Guid.");
            }
        }
    }
}

/// <summary>How an upsert treats properties the row does not carry.</summary>
public enum UpsertMode
{
    /// <summary>The stored row becomes exactly the given row.</summary>
    Replace,
    /// <summary>The given properties are set; others already stored stay.</summary>
    Merge,
}

/// <summary>The outcome of a conditional write. Conditions that fail are results, not exceptions: they are the normal path of idempotent and optimistic writes.</summary>
public enum TableWriteStatus
{
    /// <summary>The write happened.</summary>
    Ok,
    /// <summary>An insert found the row already there.</summary>
    Conflict,
    /// <summary>The row's ETag no longer matched the expected one (someone else wrote first).</summary>
    PreconditionFailed,
    /// <summary>The row to replace or delete does not exist.</summary>
    NotFound,
}

/// <summary>The outcome of one write and, when it happened, the row's new ETag.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ETag">The new ETag when <paramref name="Status"/> is <see cref="TableWriteStatus.Ok"/> (null after a delete).</param>
public readonly record struct TableWriteResult(TableWriteStatus Status, string? ETag)
{
    /// <summary>True when the write happened.</summary>
    public bool Succeeded => Status == TableWriteStatus.Ok;
}

/// <summary>A range of row keys inside a partition: <see cref="From"/> inclusive, <see cref="Before"/> exclusive; null is open.</summary>
public sealed record RowKeyRange(string? From, string? Before)
{
    /// <summary>Every row key starting with <paramref name="prefix"/>.</summary>
    public static RowKeyRange Prefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        // The smallest string greater than every string with this prefix: bump the last character.
        var last = prefix[^1];
        var before = last == char.MaxValue ? null : prefix[..^1] + (char)(last + 1);
        return new RowKeyRange(prefix, before);
    }

    /// <summary>True when <paramref name="rowKey"/> is inside the range.</summary>
    public bool Contains(string rowKey) =>
        (From is null || string.CompareOrdinal(rowKey, From) >= 0) && (Before is null || string.CompareOrdinal(rowKey, Before) < 0);
}

/// <summary>The kind of one operation of a batch.</summary>
public enum TableOperationKind
{
    /// <summary>Insert; fails the batch with <see cref="TableWriteStatus.Conflict"/> when the row exists.</summary>
    Insert,
    /// <summary>Replace; with an ETag it fails the batch when the row changed, without one it fails when the row is absent.</summary>
    Replace,
    /// <summary>Insert or replace/merge, unconditionally.</summary>
    Upsert,
    /// <summary>Delete; with an ETag it fails when the row changed.</summary>
    Delete,
}

/// <summary>One operation of an atomic batch.</summary>
public sealed record TableOperation(TableOperationKind Kind, TableRow Row, string? IfMatch = null, UpsertMode Mode = UpsertMode.Replace)
{
    /// <summary>Insert, failing when the row exists.</summary>
    public static TableOperation Insert(TableRow row) => new(TableOperationKind.Insert, row);

    /// <summary>Replace the row if its ETag still matches (<paramref name="etag"/> null: if it exists at all).</summary>
    public static TableOperation Replace(TableRow row, string? etag) => new(TableOperationKind.Replace, row, etag);

    /// <summary>Insert or overwrite.</summary>
    public static TableOperation Upsert(TableRow row, UpsertMode mode = UpsertMode.Replace) => new(TableOperationKind.Upsert, row, null, mode);

    /// <summary>Delete the row (if its ETag still matches, when given).</summary>
    public static TableOperation Delete(string partitionKey, string rowKey, string? etag = null) => new(TableOperationKind.Delete, new TableRow(partitionKey, rowKey), etag);
}

/// <summary>The outcome of a batch: all operations happened, or none did and <see cref="FailedIndex"/> says which one failed and why.</summary>
/// <param name="Status"><see cref="TableWriteStatus.Ok"/>, or the failed operation's status.</param>
/// <param name="FailedIndex">The index of the operation that failed, when the store says.</param>
/// <param name="ETags">Per operation, the new ETag (null for deletes); empty when the batch failed.</param>
public sealed record TableBatchResult(TableWriteStatus Status, int? FailedIndex, IReadOnlyList<string?> ETags)
{
    /// <summary>True when every operation happened.</summary>
    public bool Succeeded => Status == TableWriteStatus.Ok;
}
