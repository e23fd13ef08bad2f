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

        return (t[10] == 'T' || t[10] == ' ') && IsTime(t[11..]);
    }

    /// <summary>HH:mm[:ss[.f…]][Z|±HH:mm|±HHmm], checked by hand: a parser per value would dominate a date column's cost.</summary>
    private static bool IsTime(ReadOnlySpan<char> t)
    {
        if (!TwoDigits(t, 0, 23) || t.Length < 5 || t[2] != ':' || !TwoDigits(t, 3, 59))
        {
            return false;
        }

        var i = 5;
        if (i < t.Length && t[i] == ':')
        {
            if (!TwoDigits(t, i + 1, 60))
            {
                return false;
            }

            i += 3;
            if (i < t.Length && t[i] == '.')
            {
                var start = ++i;
                while (i < t.Length && char.IsAsciiDigit(t[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    return false;
                }
            }
        }

        var zone = t[i..];
        return zone.IsEmpty || zone is "Z" ||
            ((zone[0] == '+' || zone[0] == '-') && ((zone.Length == 6 && zone[3] == ':' && TwoDigits(zone, 1, 23) && TwoDigits(zone, 4, 59)) ||
                                                    (zone.Length == 5 && TwoDigits(zone, 1, 23) && TwoDigits(zone, 3, 59))));
    }

    private static bool TwoDigits(ReadOnlySpan<char> t, int at, int max) =>
        t.Length >= at + 2 && char.IsAsciiDigit(t[at]) && char.IsAsciiDigit(t[at + 1]) && (t[at] - '0') * 10 + (t[at + 1] - '0') <= max;
}
