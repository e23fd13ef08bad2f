using System.Globalization;

namespace Mlops.Data;

/// <summary>
/// How cell text is understood, the same way on every path (ingestion, type inference, reading a stored version,
/// reading JSON rows). See README.md "Type inference".
/// </summary>
public static class ValueSyntax
{
    /// <summary>
    /// Texts that mean "missing" (exact, case-sensitive): empty, whitespace only, <c>NA</c>, <c>N/A</c>, <c>null</c>,
    /// <c>NULL</c>, <c>NaN</c>. In the canonical CSV they become empty fields.
    /// </summary>
    public static IReadOnlyList<string> MissingTokens { get; } = ["", "NA", "N/A", "null", "NULL", "NaN"];

    /// <summary>True when <paramref name="text"/> is null or a missing token.</summary>
    public static bool IsMissing(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return true;
        }

        return text.Length switch
        {
            2 => text.SequenceEqual("NA"),
            3 => text.SequenceEqual("N/A") || text.SequenceEqual("NaN"),
            4 => text.SequenceEqual("null") || text.SequenceEqual("NULL"),
            _ => false,
        } || text.IsWhiteSpace();
    }

    /// <summary>
    /// Parses a number the way every numeric column is read: invariant culture, optional sign, decimal point,
    /// exponent, surrounding whitespace; no thousands separators; the result must be finite (so "Infinity" is not a number).
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Booleans are exactly <c>true</c> or <c>false</c>, any letter case. (Not yes/no, not 0/1: those stay categorical or numeric.)</summary>
    public static bool TryParseBoolean(ReadOnlySpan<char> text, out bool value)
    {
        var t = text.Trim();
        if (t.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            value = true;
            return true;
        }

        value = false;
        return t.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// ISO-8601-like dates: <c>yyyy-MM-dd</c>, optionally followed by <c>T</c> or a space and a time
    /// (<c>HH:mm</c>, <c>HH:mm:ss</c>, fractions, <c>Z</c> or an offset).
    /// </summary>
    public static bool IsIsoDate(ReadOnlySpan<char> text)
    {
        var t = text.Trim();
        if (t.Length < 10 || t[4] != '-' || t[7] != '-' ||
            !DateOnly.TryParseExact(t[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }

        if (t.Length == 10)
        {
            return true;
        }

        return (t[10] == 'T' || t[10] == ' ') && t.Length >= 16 &&
            DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
    }
}
