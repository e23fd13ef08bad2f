using System.Text;

namespace Mlops.Features.Offline;

/// <summary>
/// Entity keys: the key columns' values joined with <c>|</c> in key order (how <c>GET /api/features/{view}/{entity}</c> takes
/// them). A value holding <c>|</c> or <c>%</c> is percent-escaped so a key always splits back into its parts; table row keys
/// escape the characters Azure forbids in keys as well.
/// </summary>
public static class EntityKey
{
    /// <summary>Joins key values; null when one is missing (a row without its full key belongs to no entity).</summary>
    public static string? Join(ReadOnlySpan<string?> values)
    {
        if (values.Length == 1)
        {
            return string.IsNullOrEmpty(values[0]) ? null : Escape(values[0]!);
        }

        var sb = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (string.IsNullOrEmpty(values[i]))
            {
                return null;
            }

            if (i > 0)
            {
                sb.Append('|');
            }

            sb.Append(Escape(values[i]!));
        }

        return sb.ToString();
    }

    /// <summary>The key's values, unescaped.</summary>
    public static string[] Split(string key) => key.Split('|').Select(Uri.UnescapeDataString).ToArray();

    /// <summary>A table row key for <paramref name="key"/>: <c>/ \ # ?</c> and control characters percent-escaped.</summary>
    public static string ToRowKey(string key)
    {
        if (!key.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)))
        {
            return key;
        }

        var sb = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Escape(string value) =>
        value.Contains('|') || value.Contains('%') ? value.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal) : value;
}
