using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Triggers;

/// <summary>
/// Queue triggers as the Storage.Queues extension runs them (spec §5.3): messages stay invisible while their function runs,
/// are deleted on success, made visible again on failure, and after <c>maxDequeueCount</c> failures moved to <c>&lt;queue&gt;-poison</c>.
/// </summary>
internal sealed class QueueTriggerListener(TriggerContext context) : ITriggerListener
{
    private const int BatchSize = 16;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    public bool Handles(FunctionDefinition function) => function.HasTrigger("queueTrigger");

    public async Task StartAsync(IReadOnlyList<FunctionDefinition> functions, CancellationToken cancellationToken)
    {
        foreach (var function in functions)
        {
            var queue = Raw(function);
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _loops.Add(Task.Run(() => PollAsync(function, queue, _stopping.Token)));
        }
    }

    public void Fire(FunctionDefinition function, string? input) => context.RunInBackground(async () =>
    {
        var now = DateTimeOffset.UtcNow;
        var message = QueuesModelFactory.QueueMessage(Guid.NewGuid().ToString(), "", input ?? "", 1, now, now, now.AddDays(7));
        await context.RunAsync(function, Trigger(function, message, input ?? ""), Metadata(message, input ?? ""), "This function was programmatically called via the host APIs.", _stopping.Token).ConfigureAwait(false);
    }, function.Name);

    private QueueClient Raw(FunctionDefinition function) =>
        context.Storage.RawQueue(function.Trigger!.Get("connection"), QueueName(function));

    private string QueueName(FunctionDefinition function) => context.Settings.Expand(function.Trigger!.Get("queueName") ?? "").ToLowerInvariant();

    private async Task PollAsync(FunctionDefinition function, QueueClient queue, CancellationToken cancellationToken)
    {
        var idle = TimeSpan.FromMilliseconds(50);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var messages = (await queue.ReceiveMessagesAsync(BatchSize, context.Options.MessageVisibility, cancellationToken).ConfigureAwait(false)).Value;
                if (messages.Length == 0)
                {
                    // Back off while idle, up to the configured maximum (the extension's exponential polling).
                    await Task.Delay(idle, cancellationToken).ConfigureAwait(false);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, context.Options.MaxQueuePollInterval.Ticks));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(50);
                await Task.WhenAll(messages.Select(m => ProcessAsync(function, queue, m, cancellationToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage hiccups or a failed output write: keep polling (the message becomes visible again by itself).
                context.Console.Line($"queue '{queue.Name}': {ex.Message}");
                await Task.Delay(context.Options.MaxQueuePollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ProcessAsync(FunctionDefinition function, QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        var text = Decode(message.Body);
        var max = context.Root.MaxDequeueCount;
        if (message.DequeueCount > max)
        {
            await PoisonAsync(function.Trigger!.Get("connection"), queue, message, text, cancellationToken).ConfigureAwait(false);
            return;
        }

        InvocationResult result;
        try
        {
            result = await context.RunAsync(function, Trigger(function, message, text), Metadata(message, text), $"New queue message detected on '{queue.Name}'.", cancellationToken,
                ((int)message.DequeueCount - 1, max)).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
            // The worker died mid-run: make the message visible again so the restarted worker retries it.
            await ReleaseAsync(queue, message, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (result.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        else if (message.DequeueCount >= max)
        {
            await PoisonAsync(function.Trigger!.Get("connection"), queue, message, text, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ReleaseAsync(queue, message, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task ReleaseAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Its visibility already ran out and someone else holds it now.
        }
    }

    private async Task PoisonAsync(string? connection, QueueClient queue, QueueMessage message, string text, CancellationToken cancellationToken)
    {
        var poison = context.Storage.Queue(connection, queue.Name + "-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await poison.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        context.Console.Line($"Message {message.MessageId} moved to queue '{poison.Name}' after {message.DequeueCount} attempts.");
    }

    /// <summary>Messages are base64 by default (the extension's encoding); plain text from other writers is accepted as is.</summary>
    private static string Decode(BinaryData body)
    {
        var raw = body.ToString();
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        }
        catch (FormatException)
        {
            return raw;
        }
    }

    private static BindingValue Trigger(FunctionDefinition function, QueueMessage message, string text)
    {
        var binding = function.Trigger!;
        if (binding.SupportsDeferredBinding)
        {
            var content = new JsonObject
            {
                ["MessageId"] = message.MessageId,
                ["PopReceipt"] = message.PopReceipt,
                ["MessageText"] = text,
                ["DequeueCount"] = message.DequeueCount,
                ["NextVisibleOn"] = message.NextVisibleOn,
                ["InsertedOn"] = message.InsertedOn,
                ["ExpiresOn"] = message.ExpiresOn,
            };
            return new BindingValue.Model("AzureStorageQueues", content.ToJsonString());
        }

        return string.Equals(binding.DataType, "binary", StringComparison.OrdinalIgnoreCase)
            ? new BindingValue.Binary(Encoding.UTF8.GetBytes(text))
            : new BindingValue.Text(text);
    }

    private static Dictionary<string, BindingValue> Metadata(QueueMessage message, string text)
    {
        var metadata = new Dictionary<string, BindingValue>(StringComparer.OrdinalIgnoreCase);

        // Top-level properties of a JSON object message are binding data too; the fixed keys below win.
        if (text.TrimStart().StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(text) is JsonObject o)
                {
                    foreach (var (k, v) in o)
                    {
                        if (v is not null)
                        {
                            metadata[k] = v is JsonValue jv && jv.TryGetValue(out string? s) ? new BindingValue.Text(s) : new BindingValue.Json(v.ToJsonString());
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: only the fixed keys.
            }
        }

        metadata["QueueTrigger"] = new BindingValue.Text(text);
        metadata["DequeueCount"] = new BindingValue.Json(message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        metadata["Id"] = new BindingValue.Text(message.MessageId);
        metadata["PopReceipt"] = new BindingValue.Text(message.PopReceipt ?? "");
        if (message.ExpiresOn is { } expires)
        {
            metadata["ExpirationTime"] = new BindingValue.Json(JsonSerializer.Serialize(expires));
        }

        if (message.InsertedOn is { } inserted)
        {
            metadata["InsertionTime"] = new BindingValue.Json(JsonSerializer.Serialize(inserted));
        }

        if (message.NextVisibleOn is { } next)
        {
            metadata["NextVisibleTime"] = new BindingValue.Json(JsonSerializer.Serialize(next));
        }

        return metadata;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
