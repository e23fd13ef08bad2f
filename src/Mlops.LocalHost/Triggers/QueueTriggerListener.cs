using System.Text;
using System.Text.Json.Nodes;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Triggers;

/// <summary>
/// Queue-triggered functions: messages are leased while the function runs, a failure makes the message visible again
/// at once (host.json <c>queues.visibilityTimeout</c>, default 0), and after <c>maxDequeueCount</c> (5) tries it moves to
/// <c>{queue}-poison</c>. Message text is base64-decoded like the Functions queue extension's default encoding.
/// </summary>
internal sealed class QueueTriggerListener(FunctionDefinition function, StorageAccount account, FunctionRunner runner, MessageLeaseKeeper leases,
    FunctionsHostOptions options, HostConsole console, AppSettings settings, ScriptRoot root) : IAsyncDisposable
{
    private QueuePoller? _poller;

    public string QueueName => settings.Expand(function.Trigger!.Get("queueName") ?? "").ToLowerInvariant();

    private int MaxDequeueCount =>
        ScriptRoot.Section(ScriptRoot.Section(root.HostJson, "extensions"), "queues") is { } q && ScriptRoot.Value(q, "maxDequeueCount") is JsonValue v && v.TryGetValue(out int n) ? n : 5;

    private TimeSpan VisibilityTimeout =>
        ScriptRoot.Section(ScriptRoot.Section(root.HostJson, "extensions"), "queues") is { } q && ScriptRoot.Value(q, "visibilityTimeout") is JsonValue v && v.TryGetValue(out string? s) && TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : TimeSpan.Zero;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = account.Queue(QueueName);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        _poller = new QueuePoller(queue, leases, options.MaxQueuePollInterval, 16, HandleAsync, ex => console.Line($"Queue listener '{QueueName}': {ex.Message}"));
        _poller.Start();
    }

    public static string DecodeText(string body)
    {
        var buffer = new byte[body.Length];
        return body.Length > 0 && Convert.TryFromBase64String(body, buffer, out var n) ? Encoding.UTF8.GetString(buffer, 0, n) : body;
    }

    private async Task HandleAsync(LeasedMessage leased, CancellationToken cancellationToken)
    {
        var m = leased.Message;
        var text = DecodeText(m.Body.ToString());
        if (m.DequeueCount > MaxDequeueCount)
        {
            await PoisonAsync(leased, cancellationToken).ConfigureAwait(false);
            return;
        }

        var binary = string.Equals(function.Trigger!.Get("dataType"), "binary", StringComparison.OrdinalIgnoreCase);
        var data = new JsonObject
        {
            [function.Trigger!.Name] = binary ? PayloadEncoding.EncodeBytes(Encoding.UTF8.GetBytes(text)) : PayloadEncoding.EncodeString(text),
        };
        var metadata = new JsonObject
        {
            ["DequeueCount"] = PayloadEncoding.EncodeScalar(m.DequeueCount),
            ["ExpirationTime"] = m.ExpiresOn is { } e ? PayloadEncoding.EncodeDate(e) : null,
            ["Id"] = PayloadEncoding.EncodeString(m.MessageId),
            ["InsertionTime"] = m.InsertedOn is { } i ? PayloadEncoding.EncodeDate(i) : null,
            ["NextVisibleTime"] = m.NextVisibleOn is { } n ? PayloadEncoding.EncodeDate(n) : null,
            ["PopReceipt"] = PayloadEncoding.EncodeString(m.PopReceipt),
        };
        foreach (var key in metadata.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            metadata.Remove(key);
        }

        PayloadEncoding.ApplyObjectProperties(text, metadata);
        var bindingData = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["QueueTrigger"] = text, ["Id"] = m.MessageId };
        try
        {
            var result = await runner.RunAsync(function, data, metadata, bindingData, $"New queue message detected on '{QueueName}'.", cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (m.DequeueCount >= MaxDequeueCount)
            {
                await PoisonAsync(leased, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await leased.ReleaseAsync(VisibilityTimeout, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (HandlerUnavailableException)
        {
            await leased.ReleaseAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task PoisonAsync(LeasedMessage leased, CancellationToken cancellationToken)
    {
        var poison = account.Queue(QueueName + "-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(leased.Message.Body.ToString(), cancellationToken).ConfigureAwait(false);
        await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
        console.Line($"Message '{leased.Message.MessageId}' has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{QueueName}-poison'.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_poller is not null)
        {
            await _poller.DisposeAsync().ConfigureAwait(false);
        }
    }
}
