using System.Globalization;
using NCrontab;

namespace Mlops.WorkerHost.Triggers;

/// <summary>A timer trigger schedule: NCrontab with seconds (6 fields, the Functions format) or a TimeSpan interval.</summary>
internal sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan _interval;

    public TimerSchedule(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is 5 or 6)
        {
            _cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
        }
        else if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            _interval = interval;
        }
        else
        {
            throw new FormatException($"'{expression}' is neither a CRON expression nor a TimeSpan.");
        }
    }

    /// <summary>The next occurrence strictly after <paramref name="after"/> (UTC; the host runs schedules in UTC unless WEBSITE_TIME_ZONE says otherwise).</summary>
    public DateTime Next(DateTime after) => _cron is not null ? _cron.GetNextOccurrence(after) : after + _interval;
}
