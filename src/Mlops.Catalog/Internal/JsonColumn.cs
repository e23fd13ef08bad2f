using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Storage;

namespace Mlops.Catalog.Internal;

/// <summary>
/// Stores a JSON document in a row, split over <c>Name</c>, <c>Name_1</c>, <c>Name_2</c>, ... when it is longer than one
/// table property holds, so documents such as a wide schema or a long model card never get cut.
/// </summary>
internal static class JsonColumn
{
    private const int ChunkChars = TableRow.MaxStringLength;

    /// <summary>Total characters a row may spend on one document (an entity holds at most 1 MiB).</summary>
    private const int MaxChars = 14 * ChunkChars;

    public static void Write<T>(TableRow row, string name, T value)
    {
        var json = JsonSerializer.Serialize(value, CatalogJson.Options);
        if (json.Length > MaxChars)
        {
            throw new ArgumentException($"Document '{name}' of row '{row.PartitionKey}/{row.RowKey}' is {json.Length} characters; a row holds at most {MaxChars}. Store it as a blob.");
        }

        var chunks = 0;
        for (var offset = 0; offset < json.Length || chunks == 0; offset += ChunkChars, chunks++)
        {
            row.Set(chunks == 0 ? name : ChunkName(name, chunks), json.Substring(offset, Math.Min(ChunkChars, json.Length - offset)));
        }
    }

    public static T? Read<T>(TableRow row, string name)
    {
        if (row.GetString(name) is not { } first)
        {
            return default;
        }

        var json = new StringBuilder(first);
        for (var i = 1; row.GetString(ChunkName(name, i)) is { } more; i++)
        {
            json.Append(more);
        }

        return JsonSerializer.Deserialize<T>(json.ToString(), CatalogJson.Options);
    }

    private static string ChunkName(string name, int index) => string.Create(CultureInfo.InvariantCulture, $"{name}_{index}");
}
