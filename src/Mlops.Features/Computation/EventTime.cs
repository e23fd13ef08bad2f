using System.Globalization;

namespace Mlops.Features.Computation;

/// <summary>
/// Event times as UTC ticks. Text without an offset is read as UTC (ISO 8601, <c>2001/01/14 21:55</c>, dates alone);
/// the same rule for source rows, join rows and predict rows, so both sides of a join agree.
/// </summary>
public static class EventTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
        "yyyy/MM/dd HH:mm", "yyyy/MM/dd HH:mm:ss", "yyyy/MM/dd",
    ];

    /// <summary>Parses <paramref name="text"/> to UTC ticks; false when it is not a date-time.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long utcTicks)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, styles, out var exact) ||
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out exact))
        {
            // Kept to the microsecond, the offline store's precision, so a join compares the same instants on both sides.
            utcTicks = exact.UtcTicks / 10 * 10;
            return true;
        }

        utcTicks = 0;
        return false;
    }

    /// <summary>Ticks as a UTC <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset ToDateTimeOffset(long utcTicks) => new(utcTicks, TimeSpan.Zero);

    /// <summary>ISO 8601 text of UTC ticks (<c>2001-01-14T21:55:00Z</c>).</summary>
    public static string Format(long utcTicks) => new DateTime(utcTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
