using System.Globalization;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Triggers;

/// <summary>
/// Timer triggers (spec §5.4): NCrontab schedules (with <c>%Setting%</c>), <c>runOnStartup</c>, and with <c>useMonitor</c>
/// a status blob so a run missed while the host was down fires at start as past due. A blob lease per function and
/// occurrence makes one host fire when several run the same app.
/// </summary>
internal sealed class TimerTriggerListener(TriggerContext context) : ITriggerListener
{
    private static readonly TimeSpan LockLease = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly string _leaseId = Guid.NewGuid().ToString();

    public bool Handles(FunctionDefinition function) => function.HasTrigger("timerTrigger");

    public async Task StartAsync(IReadOnlyList<FunctionDefinition> functions, CancellationToken cancellationToken)
    {
        if (functions.Count == 0)
        {
            return;
        }

        await Hosts().CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var function in functions)
        {
            var schedule = new TimerSchedule(context.Settings.Expand(function.Trigger!.Get("schedule") ?? ""));
            _loops.Add(Task.Run(() => RunLoopAsync(function, schedule, _stopping.Token)));
        }
    }

    public void Fire(FunctionDefinition function, string? input) => context.RunInBackground(async () =>
    {
        var schedule = new TimerSchedule(context.Settings.Expand(function.Trigger!.Get("schedule") ?? ""));
        var now = DateTime.UtcNow;
        await InvokeAsync(function, pastDue: false, last: null, next: schedule.Next(now), "This function was programmatically called via the host APIs.", _stopping.Token).ConfigureAwait(false);
    }, function.Name);

    private async Task RunLoopAsync(FunctionDefinition function, TimerSchedule schedule, CancellationToken cancellationToken)
    {
        var monitor = function.Trigger!.GetBool("useMonitor", true);
        try
        {
            var status = monitor ? await ReadStatusAsync(function, cancellationToken).ConfigureAwait(false) : null;
            var now = DateTime.UtcNow;
            if (status is { Next: var missed } && missed < now)
            {
                // The host was down at the scheduled time: run once now, marked past due.
                await TryFireAsync(function, schedule, pastDue: true, status.Value.Last, missed, "Timer is past due.", cancellationToken).ConfigureAwait(false);
            }
            else if (function.Trigger.GetBool("runOnStartup", false))
            {
                await TryFireAsync(function, schedule, pastDue: false, status?.Last, now, "Timer fired at startup.", cancellationToken).ConfigureAwait(false);
            }
            else if (monitor && status is null)
            {
                await WriteStatusAsync(function, null, schedule.Next(now), cancellationToken).ConfigureAwait(false);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                var next = schedule.Next(DateTime.UtcNow);
                var delay = next - DateTime.UtcNow;
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }

                await TryFireAsync(function, schedule, pastDue: false, null, next, "Timer fired.", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task TryFireAsync(FunctionDefinition function, TimerSchedule schedule, bool pastDue, DateTime? last, DateTime occurrence, string reason, CancellationToken cancellationToken)
    {
        if (!await TryLockAsync(function, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await InvokeAsync(function, pastDue, last, schedule.Next(DateTime.UtcNow), reason, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException ex)
        {
            context.Console.Line($"Timer '{function.Name}' could not run: {ex.Message}");
        }

        if (function.Trigger!.GetBool("useMonitor", true))
        {
            await WriteStatusAsync(function, occurrence, schedule.Next(DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InvokeAsync(FunctionDefinition function, bool pastDue, DateTime? last, DateTime next, string reason, CancellationToken cancellationToken)
    {
        // The worker reads camelCase/case-insensitively { ScheduleStatus, IsPastDue }; Schedule is ignored but sent like the real host.
        var info = new JsonObject
        {
            ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
            ["ScheduleStatus"] = new JsonObject
            {
                ["Last"] = (last ?? DateTime.MinValue).ToString("O", CultureInfo.InvariantCulture),
                ["Next"] = next.ToString("O", CultureInfo.InvariantCulture),
                ["LastUpdated"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            },
            ["IsPastDue"] = pastDue,
        };
        var metadata = new Dictionary<string, BindingValue>(StringComparer.OrdinalIgnoreCase)
        {
            ["TimerTrigger"] = new BindingValue.Text(DateTime.Now.ToString(CultureInfo.InvariantCulture)),
        };
        await context.RunAsync(function, new BindingValue.Json(info.ToJsonString()), metadata, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Takes (or renews) this host's lease on the function's lock blob; another host holding it means it fires instead.</summary>
    private async Task<bool> TryLockAsync(FunctionDefinition function, CancellationToken cancellationToken)
    {
        var blob = Hosts().GetBlobClient($"locks/{context.HostId}/Host.Functions.{function.Name}.Listener");
        try
        {
            await blob.UploadAsync(BinaryData.FromString(""), overwrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Exists already (maybe leased): fine.
        }

        try
        {
            await blob.GetBlobLeaseClient(_leaseId).AcquireAsync(LockLease, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private BlobContainerClient Hosts() => context.Storage.Blobs(null).GetBlobContainerClient("azure-webjobs-hosts");

    private BlobClient StatusBlob(FunctionDefinition function) => Hosts().GetBlobClient($"timers/{context.HostId}/Host.Functions.{function.Name}/status");

    private async Task<(DateTime? Last, DateTime Next)?> ReadStatusAsync(FunctionDefinition function, CancellationToken cancellationToken)
    {
        try
        {
            var content = await StatusBlob(function).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            var json = JsonNode.Parse(content.Value.Content.ToString());
            DateTime? last = json?["Last"]?.GetValue<DateTime>();
            return json?["Next"] is { } next ? (last, next.GetValue<DateTime>().ToUniversalTime()) : null;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task WriteStatusAsync(FunctionDefinition function, DateTime? last, DateTime next, CancellationToken cancellationToken)
    {
        var status = new JsonObject { ["Last"] = last, ["Next"] = next, ["LastUpdated"] = DateTime.UtcNow };
        await StatusBlob(function).UploadAsync(BinaryData.FromString(status.ToJsonString()), overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
