using System.Globalization;

namespace Mlops.Modeling.Featurization;

/// <summary>
/// The features of a date column: year, month, day, day of week (0 = Sunday), day of year, and the hour when the
/// training values carry a time. The same steps run here (for ML.NET) and as ONNX operators in front of the exported
/// graph (<c>Onnx.DateGraph</c>), so a served model takes the raw date string: the text is cut at <c>-</c>, <c>T</c>,
/// space and <c>:</c>; the first four tokens (missing ones read "0") are looked up in fixed tables (year 1800–2200,
/// other parts 0–99); anything else, or a month or day out of range, makes every part missing (NaN), which the model
/// then imputes like any missing number. Integer arithmetic only, identical in both places.
/// </summary>
public static class DateParts
{
    /// <summary>Characters that separate the tokens of a date string.</summary>
    public static readonly IReadOnlyList<string> Separators = ["-", "T", " ", ":"];

    /// <summary>Smallest and largest year understood.</summary>
    public const int MinYear = 1800, MaxYear = 2200;

    /// <summary>The part names, in feature order (hour last, only when the column has times).</summary>
    public static IReadOnlyList<string> Names(bool hasTime) =>
        hasTime ? ["year", "month", "day", "dayOfWeek", "dayOfYear", "hour"] : ["year", "month", "day", "dayOfWeek", "dayOfYear"];

    /// <summary>The ML.NET column (and internal ONNX tensor) of one part of column <paramref name="column"/>.</summary>
    public static string ColumnName(string column, string part) => $"{column}.{part}";

    /// <summary>True when a value carries a time of day (anything after the date).</summary>
    public static bool HasTime(string? value) => value is { Length: > 10 };

    /// <summary>The year tokens understood and their values.</summary>
    public static IEnumerable<(string Token, long Value)> YearTable() =>
        Enumerable.Range(MinYear, MaxYear - MinYear + 1).Select(y => (y.ToString(CultureInfo.InvariantCulture), (long)y));

    /// <summary>The month/day/hour tokens understood ("0"–"99" and "00"–"09").</summary>
    public static IEnumerable<(string Token, long Value)> SmallTable() =>
        Enumerable.Range(0, 100).Select(v => (v.ToString(CultureInfo.InvariantCulture), (long)v))
            .Concat(Enumerable.Range(0, 10).Select(v => (v.ToString("00", CultureInfo.InvariantCulture), (long)v)));

    private static readonly Dictionary<string, long> Years = YearTable().ToDictionary(p => p.Token, p => p.Value, StringComparer.Ordinal);
    private static readonly Dictionary<string, long> Smalls = SmallTable().ToDictionary(p => p.Token, p => p.Value, StringComparer.Ordinal);

    /// <summary>The parts of one value (NaN for every part when missing or not understood).</summary>
    public static float[] Of(string? value, bool hasTime)
    {
        var tokens = (value ?? "").Split([.. Separators], StringSplitOptions.RemoveEmptyEntries);
        string Token(int i) => i < tokens.Length ? tokens[i] : "0";
        var year = Years.GetValueOrDefault(Token(0), -1);
        var month = Smalls.GetValueOrDefault(Token(1), -1);
        var day = Smalls.GetValueOrDefault(Token(2), -1);
        var hour = Smalls.GetValueOrDefault(Token(3), -1);
        var valid = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
        var count = hasTime ? 6 : 5;
        var parts = new float[count];
        if (!valid)
        {
            Array.Fill(parts, float.NaN);
            return parts;
        }

        var days = DaysFromCivil(year, month, day);
        parts[0] = year;
        parts[1] = month;
        parts[2] = day;
        parts[3] = (((days + 4) % 7) + 7) % 7;
        parts[4] = days - DaysFromCivil(year, 1, 1) + 1;
        if (hasTime)
        {
            parts[5] = hour >= 0 ? hour : float.NaN;
        }

        return parts;
    }

    /// <summary>Days since 1970-01-01 (H. Hinnant's days_from_civil), with truncating integer division as ONNX Div does.</summary>
    internal static long DaysFromCivil(long year, long month, long day)
    {
        var y = year - (month <= 2 ? 1 : 0);
        var era = y / 400;
        var yoe = y - (era * 400);
        var mp = (month + 9) % 12;
        var doy = (((153 * mp) + 2) / 5) + day - 1;
        var doe = (yoe * 365) + (yoe / 4) - (yoe / 100) + doy;
        return (era * 146097) + doe - 719468;
    }
}
