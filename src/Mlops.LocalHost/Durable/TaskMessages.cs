using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Google.Protobuf;
using Mlops.Durable.Protocol;

namespace Mlops.LocalHost.Durable;

/// <summary>
/// One queue message of the hub, shaped like DurableTask.AzureStorage's <c>MessageData</c> (spec §7): a <c>TaskMessage</c>
/// (the event plus its <c>OrchestrationInstance</c>), <c>SequenceNumber</c>, <c>ActivityId</c>, <c>CompressedBlobName</c>,
/// <c>Episode</c> and <c>Sender</c>. The event itself is written in protobuf JSON form (the wire contract of this project)
/// rather than DTFx's Newtonsoft type names.
/// </summary>
internal sealed class TaskMessage
{
    public required HistoryEvent Event { get; init; }

    public required string InstanceId { get; init; }

    /// <summary>The execution the message is for; null for messages any execution may take (events, terminate...).</summary>
    public string? ExecutionId { get; init; }

    public long Episode { get; init; }

    public string? SenderInstanceId { get; init; }

    /// <summary>For ExecutionStarted after continue-as-new: the carried-over <c>eventRaised</c> events, sent atomically with the start.</summary>
    public IReadOnlyList<HistoryEvent> CarryoverEvents { get; init; } = [];

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public string ToJson()
    {
        var carry = new JsonArray();
        foreach (var e in CarryoverEvents)
        {
            carry.Add(JsonNode.Parse(Formatter.Format(e)));
        }

        var root = new JsonObject
        {
            ["$type"] = "DurableTask.AzureStorage.MessageData",
            ["ActivityId"] = Guid.NewGuid().ToString(),
            ["TaskMessage"] = new JsonObject
            {
                ["$type"] = "DurableTask.Core.TaskMessage",
                ["Event"] = JsonNode.Parse(Formatter.Format(Event)),
                ["SequenceNumber"] = 0,
                ["OrchestrationInstance"] = new JsonObject { ["InstanceId"] = InstanceId, ["ExecutionId"] = ExecutionId },
            },
            ["CompressedBlobName"] = null,
            ["SequenceNumber"] = 0,
            ["Episode"] = Episode,
            ["Sender"] = SenderInstanceId is null ? null : new JsonObject { ["InstanceId"] = SenderInstanceId },
        };
        if (carry.Count > 0)
        {
            root["CarryoverEvents"] = carry;
        }

        return root.ToJsonString();
    }

    public static TaskMessage FromJson(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var tm = root["TaskMessage"]!.AsObject();
        var instance = tm["OrchestrationInstance"]!.AsObject();
        var carry = root["CarryoverEvents"] is JsonArray a
            ? a.Select(n => Parser.Parse<HistoryEvent>(n!.ToJsonString())).ToList()
            : [];
        return new TaskMessage
        {
            Event = Parser.Parse<HistoryEvent>(tm["Event"]!.ToJsonString()),
            InstanceId = instance["InstanceId"]!.GetValue<string>(),
            ExecutionId = instance["ExecutionId"]?.GetValue<string>(),
            Episode = root["Episode"]?.GetValue<long>() ?? 0,
            SenderInstanceId = root["Sender"]?["InstanceId"]?.GetValue<string>(),
            CarryoverEvents = carry,
        };
    }
}

/// <summary>Sends and reads hub messages; a message too large for a queue goes to <c>{hub}-largemessages</c> gzip-compressed.</summary>
internal sealed class TaskMessageCodec(TaskHub hub)
{
    // Queue messages are limited to 64 KB; leave room for the envelope and encoding.
    private const int MaxInlineChars = 45_000;

    public async Task SendAsync(QueueClient queue, TaskMessage message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        var json = message.ToJson();
        if (json.Length > MaxInlineChars)
        {
            var blobName = $"{message.InstanceId}/message-{Guid.NewGuid():N}.json.gz";
            using var buffer = new MemoryStream();
            await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken).ConfigureAwait(false);
            }

            buffer.Position = 0;
            await hub.LargeMessages.GetBlobClient(blobName).UploadAsync(buffer, overwrite: true, cancellationToken).ConfigureAwait(false);
            json = new JsonObject { ["$type"] = "DurableTask.AzureStorage.MessageData", ["CompressedBlobName"] = blobName }.ToJsonString();
        }

        await queue.SendMessageAsync(json, delay, TimeSpan.FromSeconds(-1), cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskMessage> ReadAsync(string text, CancellationToken cancellationToken)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        if (root["TaskMessage"] is null && root["CompressedBlobName"]?.GetValue<string>() is { } blobName)
        {
            var download = await hub.LargeMessages.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            await using var gzip = new GZipStream(download.Value.Content.ToStream(), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        return TaskMessage.FromJson(text);
    }
}
