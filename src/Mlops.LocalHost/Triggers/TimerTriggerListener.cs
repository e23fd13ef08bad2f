using System.Globalization;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;
using NCrontab;

namespace Mlops.LocalHost.Triggers;

/// <summary>A timer schedule: a 6-field NCRONTAB expression (with seconds) or a TimeSpan interval.</summary>
internal sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    public TimerSchedule(string expression)
    {
        if (TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && !expression.Contains(' ', StringComparison.Ordinal))
        {
            _interval = interval;
            return;
        }

        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields != 6)
        {
            throw new InvalidOperationException($"timer schedule '{expression}': must be a 6-field NCRONTAB expression ('{{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}') or a TimeSpan.");
        }

        _cron = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
    }

    public DateTime Next(DateTime afterUtc) => _cron is not null ? _cron.GetNextOccurrence(afterUtc) : afterUtc + _interval!.Value;
}

/// <summary>
/// Timer triggers: one host at a time owns the schedule through a blob lease on
/// <c>azure-webjobs-hosts/locks/{hostId}/Host.Functions.{Name}.Listener</c>; with <c>useMonitor</c> the schedule status
/// lives in <c>timers/{hostId}/Host.Functions.{Name}/status</c>, so a run missed while no host ran is fired as past-due.
/// </summary>
internal sealed class TimerTriggerListener(FunctionDefinition function, StorageAccount account, FunctionRunner runner, FunctionsHostOptions options,
    HostConsole console, AppSettings settings, string hostId) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public TimerSchedule Schedule => new(settings.Expand(function.Trigger!.Get("schedule") ?? ""));

    private bool UseMonitor => function.Trigger!.GetBool("useMonitor", true);

    private bool RunOnStartup => function.Trigger!.GetBool("runOnStartup", false);

    private BlobClient StatusBlob => account.Blobs.GetBlobContainerClient("azure-webjobs-hosts").GetBlobClient($"timers/{hostId}/Host.Functions.{function.Name}/status");

    public void Start()
    {
        _ = Schedule; // fail fast on a bad expression
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        var container = account.Blobs.GetBlobContainerClient("azure-webjobs-hosts");
        var lockBlob = container.GetBlobClient($"locks/{hostId}/Host.Functions.{function.Name}.Listener");
        var lease = lockBlob.GetBlobLeaseClient();
        var leaseTime = options.TimerLockLease;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: token).ConfigureAwait(false);
                try
                {
                    await lockBlob.UploadAsync(BinaryData.Empty, overwrite: false, token).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                }

                try
                {
                    await lease.AcquireAsync(leaseTime, cancellationToken: token).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Another host runs this schedule: try again later.
                    await Task.Delay(leaseTime / 2, token).ConfigureAwait(false);
                    continue;
                }

                console.Debug($"Timer {function.Name}: this host holds the listener lock.");
                using var held = CancellationTokenSource.CreateLinkedTokenSource(token);
                var renew = RenewAsync(lease, leaseTime, held);
                try
                {
                    await RunScheduleAsync(held.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    console.Line($"Timer {function.Name}: lost the listener lock.");
                }
                finally
                {
                    await held.CancelAsync().ConfigureAwait(false);
                    await renew.ConfigureAwait(false);
                }

                if (token.IsCancellationRequested)
                {
                    try
                    {
                        await lease.ReleaseAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (RequestFailedException)
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                console.Line($"Timer {function.Name}: {ex.Message}");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static async Task RenewAsync(BlobLeaseClient lease, TimeSpan leaseTime, CancellationTokenSource held)
    {
        while (!held.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(leaseTime / 3, held.Token).ConfigureAwait(false);
                await lease.RenewAsync(cancellationToken: held.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (RequestFailedException)
            {
                await held.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task RunScheduleAsync(CancellationToken token)
    {
        var schedule = Schedule;
        var status = UseMonitor ? await ReadStatusAsync(token).ConfigureAwait(false) : null;
        var now = DateTime.UtcNow;
        if (RunOnStartup)
        {
            await FireAsync(status, isPastDue: false, token).ConfigureAwait(false);
        }
        else if (status?["Next"] is JsonValue n && DateTime.Parse(n.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) < now)
        {
            // The occurrence the last host expected passed while no host was running: fire it now, flagged past-due.
            await FireAsync(status, isPastDue: true, token).ConfigureAwait(false);
        }

        var last = status?["Last"]?.GetValue<string>() is { } l ? DateTime.Parse(l, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : DateTime.MinValue;
        var next = schedule.Next(DateTime.UtcNow);
        status = await WriteStatusAsync(last, next, token).ConfigureAwait(false);
        while (true)
        {
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, token).ConfigureAwait(false);
            }

            await FireAsync(status, isPastDue: false, token).ConfigureAwait(false);
            last = next;
            next = schedule.Next(DateTime.UtcNow > next ? DateTime.UtcNow : next);
            status = await WriteStatusAsync(last, next, token).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the function with the TimerInfo object (spec §2.2: a nested object, not quoted).</summary>
    public async Task FireAsync(JsonObject? status, bool isPastDue, CancellationToken token)
    {
        var timer = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = status?.DeepClone(),
            ["IsPastDue"] = isPastDue,
        };
        var data = new JsonObject { [function.Trigger!.Name] = timer };
        try
        {
            await runner.RunAsync(function, data, [], new Dictionary<string, string>(), $"Timer fired at {DateTimeOffset.Now:O}", token).ConfigureAwait(false);
        }
        catch (HandlerUnavailableException)
        {
            console.Line($"Timer {function.Name}: the handler was unavailable; this occurrence is skipped.");
        }
    }

    private async Task<JsonObject?> ReadStatusAsync(CancellationToken token)
    {
        try
        {
            var content = await StatusBlob.DownloadContentAsync(token).ConfigureAwait(false);
            return JsonNode.Parse(content.Value.Content.ToString()) as JsonObject;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<JsonObject?> WriteStatusAsync(DateTime last, DateTime next, CancellationToken token)
    {
        var status = new JsonObject
        {
            ["Last"] = last.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
            ["Next"] = next.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
            ["LastUpdated"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
        };
        if (UseMonitor)
        {
            await StatusBlob.UploadAsync(BinaryData.FromString(status.ToJsonString()), overwrite: true, token).ConfigureAwait(false);
        }

        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
