using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Google.Protobuf;
using Mlops.Durable.Protocol;

namespace Mlops.LocalHost.Durable;

/// <summary>The history of an instance's current execution, as last committed.</summary>
internal sealed class OrchestrationHistory
{
    public required string InstanceId { get; init; }

    /// <summary>Null before the first commit.</summary>
    public string? ExecutionId { get; set; }

    /// <summary>Sequence number of the first row of the current execution.</summary>
    public long FirstSequence { get; set; }

    /// <summary>Sequence number of the last committed row; FirstSequence - 1 when there is none.</summary>
    public long LastSequence { get; set; } = -1;

    /// <summary>The sentinel row's ETag; null when the sentinel does not exist yet.</summary>
    public ETag? SentinelETag { get; set; }

    public List<HistoryEvent> Events { get; } = [];

    public bool Started => Events.Any(e => e.EventTypeCase == HistoryEvent.EventTypeOneofCase.ExecutionStarted);
}

/// <summary>The checkpoint lost a race: another writer changed the history first.</summary>
internal sealed class HistoryConflictException(string instanceId) : Exception($"history of instance '{instanceId}' changed underneath this episode");

/// <summary>
/// The <c>{Hub}History</c> table (spec §7): PartitionKey = instance id, RowKey = sequence number as 16 upper-case hex
/// digits, plus one <c>sentinel</c> row. The sentinel names the current execution and the committed range and is written
/// last with an ETag check, so rows of an interrupted checkpoint are never read and a racing writer cannot double events.
/// </summary>
internal sealed class HistoryStore(TaskHub hub)
{
    private const string Sentinel = "sentinel";
    private const int MaxInlineProto = 60_000;

    public async Task<OrchestrationHistory> LoadAsync(string instanceId, CancellationToken cancellationToken)
    {
        var history = new OrchestrationHistory { InstanceId = instanceId };
        TableEntity? sentinel = null;
        try
        {
            sentinel = (await hub.History.GetEntityAsync<TableEntity>(instanceId, Sentinel, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        if (sentinel is null)
        {
            return history;
        }

        history.SentinelETag = sentinel.ETag;
        history.ExecutionId = sentinel.GetString("ExecutionId");
        history.FirstSequence = sentinel.GetInt64("FirstSequence") ?? 0;
        history.LastSequence = sentinel.GetInt64("LastSequence") ?? -1;
        if (history.LastSequence < history.FirstSequence)
        {
            return history;
        }

        var from = RowKey(history.FirstSequence);
        var to = RowKey(history.LastSequence);
        var rows = new List<TableEntity>();
        await foreach (var row in hub.History.QueryAsync<TableEntity>(
                           e => e.PartitionKey == instanceId && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(to) <= 0,
                           cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.RowKey, b.RowKey));
        foreach (var row in rows)
        {
            history.Events.Add(await ReadEventAsync(row, cancellationToken).ConfigureAwait(false));
        }

        if (history.Events.Count != history.LastSequence - history.FirstSequence + 1)
        {
            throw new InvalidOperationException(
                $"history of '{instanceId}': {history.Events.Count} rows found for committed range {history.FirstSequence}..{history.LastSequence}.");
        }

        return history;
    }

    /// <summary>
    /// Appends <paramref name="newEvents"/> after the committed rows; starts a new execution (rows after every older one)
    /// when <paramref name="executionId"/> differs from the current. Updates <paramref name="history"/> on success.
    /// </summary>
    public async Task CommitAsync(OrchestrationHistory history, string executionId, IReadOnlyList<HistoryEvent> newEvents, CancellationToken cancellationToken)
    {
        var first = history.FirstSequence;
        var next = history.LastSequence + 1;
        if (history.ExecutionId != executionId)
        {
            first = Math.Max(history.LastSequence + 1, 0);
            next = first;
        }

        var rows = new List<TableEntity>(newEvents.Count);
        foreach (var e in newEvents)
        {
            rows.Add(await ToEntityAsync(history.InstanceId, next++, executionId, e, cancellationToken).ConfigureAwait(false));
        }

        var sentinel = new TableEntity(history.InstanceId, Sentinel)
        {
            ["ExecutionId"] = executionId,
            ["CheckpointCompletedTimestamp"] = DateTimeOffset.UtcNow,
            ["FirstSequence"] = first,
            ["LastSequence"] = next - 1,
        };

        // Rows beyond the sentinel's range are invisible until the sentinel moves, so they can go in any number of batches.
        var chunks = rows.Chunk(99).ToList();
        for (var i = 0; i < chunks.Count - 1; i++)
        {
            await hub.History.SubmitTransactionAsync(chunks[i].Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), cancellationToken).ConfigureAwait(false);
        }

        var last = new List<TableTransactionAction>();
        if (chunks.Count > 0)
        {
            last.AddRange(chunks[^1].Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }

        last.Add(history.SentinelETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, sentinel, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, sentinel));
        try
        {
            var response = await hub.History.SubmitTransactionAsync(last, cancellationToken).ConfigureAwait(false);
            history.SentinelETag = response.Value[^1].Headers.ETag;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new HistoryConflictException(history.InstanceId);
        }

        if (history.ExecutionId != executionId)
        {
            history.Events.Clear();
        }

        history.ExecutionId = executionId;
        history.FirstSequence = first;
        history.LastSequence = next - 1;
        history.Events.AddRange(newEvents);
    }

    /// <summary>Deletes every row of the instance (all executions) and its large payloads. Returns whether anything existed.</summary>
    public async Task<bool> PurgeAsync(string instanceId, CancellationToken cancellationToken)
    {
        var keys = new List<(string Pk, string Rk)>();
        await foreach (var row in hub.History.QueryAsync<TableEntity>(e => e.PartitionKey == instanceId, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add((row.PartitionKey, row.RowKey));
        }

        foreach (var chunk in keys.Chunk(100))
        {
            await hub.History.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.Pk, k.Rk), ETag.All)), cancellationToken).ConfigureAwait(false);
        }

        await foreach (var blob in hub.LargeMessages.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, instanceId + "/", cancellationToken).ConfigureAwait(false))
        {
            await hub.LargeMessages.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return keys.Count > 0;
    }

    public static string RowKey(long sequence) => sequence.ToString("X16", CultureInfo.InvariantCulture);

    private async Task<TableEntity> ToEntityAsync(string instanceId, long sequence, string executionId, HistoryEvent e, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(instanceId, RowKey(sequence))
        {
            ["EventType"] = e.EventTypeCase.ToString(),
            ["EventId"] = e.EventId,
            ["_Timestamp"] = e.Timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow,
            ["ExecutionId"] = executionId,
        };
        AddReadableColumns(entity, e);
        var bytes = e.ToByteArray();
        if (bytes.Length <= MaxInlineProto)
        {
            entity["_Proto"] = bytes;
        }
        else
        {
            var blobName = $"{instanceId}/history-{executionId}-{RowKey(sequence)}.bin";
            await hub.LargeMessages.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, cancellationToken).ConfigureAwait(false);
            entity["_ProtoBlob"] = blobName;
        }

        return entity;
    }

    private async Task<HistoryEvent> ReadEventAsync(TableEntity row, CancellationToken cancellationToken)
    {
        if (row.GetBinary("_Proto") is { } bytes)
        {
            return HistoryEvent.Parser.ParseFrom(bytes);
        }

        var blobName = row.GetString("_ProtoBlob") ?? throw new InvalidOperationException($"history row {row.PartitionKey}/{row.RowKey} has neither _Proto nor _ProtoBlob.");
        var content = await hub.LargeMessages.GetBlobClient(blobName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return HistoryEvent.Parser.ParseFrom(content.Value.Content.ToArray());
    }

    /// <summary>The event's own fields as columns, so the table reads like DTFx's in Storage Explorer (large values are left to _Proto).</summary>
    private static void AddReadableColumns(TableEntity entity, HistoryEvent e)
    {
        void Put(string name, string? value)
        {
            if (value is not null && value.Length < 30_000)
            {
                entity[name] = value;
            }
        }

        switch (e.EventTypeCase)
        {
            case HistoryEvent.EventTypeOneofCase.ExecutionStarted:
                Put("Name", e.ExecutionStarted.Name);
                Put("Input", e.ExecutionStarted.Input);
                break;
            case HistoryEvent.EventTypeOneofCase.ExecutionCompleted:
                entity["OrchestrationStatus"] = e.ExecutionCompleted.OrchestrationStatus.ToString();
                Put("Result", e.ExecutionCompleted.Result);
                break;
            case HistoryEvent.EventTypeOneofCase.TaskScheduled:
                Put("Name", e.TaskScheduled.Name);
                break;
            case HistoryEvent.EventTypeOneofCase.TaskCompleted:
                entity["TaskScheduledId"] = e.TaskCompleted.TaskScheduledId;
                Put("Result", e.TaskCompleted.Result);
                break;
            case HistoryEvent.EventTypeOneofCase.TaskFailed:
                entity["TaskScheduledId"] = e.TaskFailed.TaskScheduledId;
                Put("Reason", e.TaskFailed.FailureDetails?.ErrorMessage);
                break;
            case HistoryEvent.EventTypeOneofCase.TimerCreated:
                entity["FireAt"] = e.TimerCreated.FireAt.ToDateTimeOffset();
                break;
            case HistoryEvent.EventTypeOneofCase.TimerFired:
                entity["FireAt"] = e.TimerFired.FireAt.ToDateTimeOffset();
                entity["TimerId"] = e.TimerFired.TimerId;
                break;
            case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCreated:
                Put("InstanceId", e.SubOrchestrationInstanceCreated.InstanceId);
                Put("Name", e.SubOrchestrationInstanceCreated.Name);
                break;
            case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceCompleted:
                entity["TaskScheduledId"] = e.SubOrchestrationInstanceCompleted.TaskScheduledId;
                Put("Result", e.SubOrchestrationInstanceCompleted.Result);
                break;
            case HistoryEvent.EventTypeOneofCase.SubOrchestrationInstanceFailed:
                entity["TaskScheduledId"] = e.SubOrchestrationInstanceFailed.TaskScheduledId;
                break;
            case HistoryEvent.EventTypeOneofCase.EventRaised:
                Put("Name", e.EventRaised.Name);
                Put("Input", e.EventRaised.Input);
                break;
            case HistoryEvent.EventTypeOneofCase.EventSent:
                Put("InstanceId", e.EventSent.InstanceId);
                Put("Name", e.EventSent.Name);
                break;
            case HistoryEvent.EventTypeOneofCase.ExecutionTerminated:
                Put("Input", e.ExecutionTerminated.Input);
                break;
            case HistoryEvent.EventTypeOneofCase.ContinueAsNew:
                Put("Result", e.ContinueAsNew.Input);
                break;
        }
    }
}
