using System.Text.RegularExpressions;

namespace Mlops.Storage;

/// <summary>Azure Storage's naming rules, checked the same way by every implementation so tests against memory hold against Azure.</summary>
internal static partial class StorageNames
{
    public const int MaxBatchSize = 100;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex PropertyName();

    public static string RequireTable(string table)
    {
        if (table is null || !TableName().IsMatch(table))
        {
            throw new ArgumentException($"Table name '{table}' must be 3-63 letters and digits, starting with a letter.", nameof(table));
        }

        return table;
    }

    public static string RequireContainer(string container)
    {
        if (container is null || !ContainerName().IsMatch(container))
        {
            throw new ArgumentException($"Container name '{container}' must be 3-63 lower-case letters, digits and single hyphens.", nameof(container));
        }

        return container;
    }

    public static void RequireKey(string key, string field)
    {
        if (key is null)
        {
            throw new ArgumentNullException(field);
        }

        if (key.Length > 512)
        {
            throw new ArgumentException($"{field} is {key.Length} characters; at most 512 are allowed.", field);
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"{field} '{key}' contains a character Azure tables forbid in keys ('/', '\\', '#', '?' or a control character).", field);
            }
        }
    }

    public static void RequirePropertyName(string name)
    {
        if (!PropertyName().IsMatch(name) || name is "PartitionKey" or "RowKey" or "Timestamp" or "ETag")
        {
            throw new ArgumentException($"Property name '{name}' must be a C# identifier and not one of PartitionKey, RowKey, Timestamp, ETag.", nameof(name));
        }
    }

    public static string RequireBlobPath(string path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 1024)
        {
            throw new ArgumentException("A blob path must be 1-1024 characters.", nameof(path));
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"Blob path '{path}' has an empty, '.' or '..' segment.", nameof(path));
            }
        }

        if (path.Any(c => c == '\\' || char.IsControl(c)))
        {
            throw new ArgumentException($"Blob path '{path}' contains a backslash or a control character.", nameof(path));
        }

        return path;
    }

    public static void RequireMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var (key, value) in metadata)
        {
            if (!PropertyName().IsMatch(key))
            {
                throw new ArgumentException($"Metadata key '{key}' must be a C# identifier.", nameof(metadata));
            }

            if (value.Any(c => c > 0x7e || c < 0x20))
            {
                throw new ArgumentException($"Metadata value of '{key}' must be printable ASCII.", nameof(metadata));
            }
        }
    }

    public static void RequireBatch(IReadOnlyList<TableOperation> operations)
    {
        if (operations.Count is 0 or > MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds 1-{MaxBatchSize} operations; this one has {operations.Count}.", nameof(operations));
        }

        var partition = operations[0].Row.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in operations)
        {
            if (op.Row.PartitionKey != partition)
            {
                throw new ArgumentException($"A batch must stay in one partition; found '{partition}' and '{op.Row.PartitionKey}'.", nameof(operations));
            }

            if (!seen.Add(op.Row.RowKey))
            {
                throw new ArgumentException($"A batch may touch row '{op.Row.RowKey}' only once.", nameof(operations));
            }

            if (op.Kind == TableOperationKind.Delete)
            {
                RequireKey(op.Row.PartitionKey, nameof(TableRow.PartitionKey));
                RequireKey(op.Row.RowKey, nameof(TableRow.RowKey));
            }
            else
            {
                op.Row.Validate();
            }
        }
    }
}
