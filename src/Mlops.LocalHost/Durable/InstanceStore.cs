using Azure;
using Azure.Data.Tables;

namespace Mlops.LocalHost.Durable;

/// <summary>The runtime statuses of the Instances table and the management API (spec §6.2, §7).</summary>
internal enum RuntimeStatus
{
    Unknown = -1,
    Running = 0,
    Completed = 1,
    ContinuedAsNew = 2,
    Failed = 3,
    Canceled = 4,
    Terminated = 5,
    Pending = 6,
    Suspended = 7,
}

/// <summary>One row of <c>{Hub}Instances</c>.</summary>
internal sealed class InstanceRecord
{
    public required string InstanceId { get; init; }

    public string Name { get; set; } = "";

    public string? Version { get; set; }

    public string? Input { get; set; }

    public string? Output { get; set; }

    public string? CustomStatus { get; set; }

    public DateTimeOffset CreatedTime { get; set; }

    public DateTimeOffset LastUpdatedTime { get; set; }

    public DateTimeOffset? CompletedTime { get; set; }

    public RuntimeStatus RuntimeStatus { get; set; }

    public string? ExecutionId { get; set; }

    /// <summary>The last history sequence number this row reflects (lets a restarted host see a row left behind a checkpoint).</summary>
    public long HistorySequence { get; set; } = -1;

    public ETag ETag { get; set; }

    public static bool IsTerminal(RuntimeStatus s) => s is RuntimeStatus.Completed or RuntimeStatus.Failed or RuntimeStatus.Terminated or RuntimeStatus.Canceled;

    public static bool IsActive(RuntimeStatus s) => s is RuntimeStatus.Running or RuntimeStatus.Pending or RuntimeStatus.ContinuedAsNew or RuntimeStatus.Suspended;
}

/// <summary>The <c>{Hub}Instances</c> table: PartitionKey = instance id, RowKey = "".</summary>
internal sealed class InstanceStore(TaskHub hub)
{
    public async Task<InstanceRecord?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            var e = (await hub.Instances.GetEntityAsync<TableEntity>(instanceId, "", cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (IsTombstone(e))
            {
                return null;
            }

            var record = FromEntity(e);
            await LoadLargeColumnsAsync(record, e, cancellationToken).ConfigureAwait(false);
            return record;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Inserts a new row (false when one exists), or replaces the row guarded by its ETag (false when it changed).</summary>
    public async Task<bool> TryWriteAsync(InstanceRecord record, bool insert, CancellationToken cancellationToken)
    {
        try
        {
            var entity = await ToEntityAsync(record, cancellationToken).ConfigureAwait(false);
            if (insert)
            {
                try
                {
                    var r = await hub.Instances.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    record.ETag = r.Headers.ETag ?? default;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // A purged row left as a tombstone may be reused.
                    var existing = (await hub.Instances.GetEntityAsync<TableEntity>(record.InstanceId, "", cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
                    if (!IsTombstone(existing))
                    {
                        return false;
                    }

                    var r = await hub.Instances.UpdateEntityAsync(entity, existing.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    record.ETag = r.Headers.ETag ?? default;
                }
            }
            else
            {
                var r = await hub.Instances.UpdateEntityAsync(entity, record.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                record.ETag = r.Headers.ETag ?? default;
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    public async Task UpsertAsync(InstanceRecord record, CancellationToken cancellationToken)
    {
        var r = await hub.Instances.UpsertEntityAsync(await ToEntityAsync(record, cancellationToken).ConfigureAwait(false), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        record.ETag = r.Headers.ETag ?? default;
    }

    public async Task<bool> DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        var existing = await GetAsync(instanceId, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return false;
        }

        try
        {
            await hub.Instances.DeleteEntityAsync(instanceId, "", ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            // Azurite cannot address an entity whose RowKey is "" for deletion (Azure can): leave a tombstone instead.
            await hub.Instances.UpsertEntityAsync(new TableEntity(instanceId, "") { [Tombstone] = true }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }

        return true;
    }

    public async IAsyncEnumerable<InstanceRecord> QueryAsync(string? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in hub.Instances.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (IsTombstone(e))
            {
                continue;
            }

            yield return FromEntity(e);
        }
    }

    public AsyncPageable<TableEntity> QueryPages(string? filter, int? pageSize, CancellationToken cancellationToken) =>
        hub.Instances.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken);

    private const string Tombstone = "_Purged";

    public static bool IsTombstone(TableEntity e) => e.GetBoolean(Tombstone) == true;

    public static InstanceRecord FromEntity(TableEntity e) => new()
    {
        InstanceId = e.PartitionKey,
        Name = e.GetString("Name") ?? "",
        Version = e.GetString("Version"),
        Input = e.GetString("Input"),
        Output = e.GetString("Output"),
        CustomStatus = e.GetString("CustomStatus"),
        CreatedTime = e.GetDateTimeOffset("CreatedTime") ?? DateTimeOffset.MinValue,
        LastUpdatedTime = e.GetDateTimeOffset("LastUpdatedTime") ?? DateTimeOffset.MinValue,
        CompletedTime = e.GetDateTimeOffset("CompletedTime"),
        RuntimeStatus = Enum.TryParse<RuntimeStatus>(e.GetString("RuntimeStatus"), out var s) ? s : RuntimeStatus.Unknown,
        ExecutionId = e.GetString("ExecutionId"),
        HistorySequence = e.GetInt64("HistorySequence") ?? -1,
        ETag = e.ETag,
    };

    /// <summary>Values too large for a table column (32K chars) live in <c>{hub}-largemessages</c>, like DTFx's <c>InputBlobName</c>.</summary>
    public async Task LoadLargeColumnsAsync(InstanceRecord record, TableEntity e, CancellationToken cancellationToken)
    {
        foreach (var column in new[] { "Input", "Output", "CustomStatus" })
        {
            if (e.GetString(column + "BlobName") is { Length: > 0 } blob)
            {
                var text = (await hub.LargeMessages.GetBlobClient(blob).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToString();
                switch (column)
                {
                    case "Input": record.Input = text; break;
                    case "Output": record.Output = text; break;
                    default: record.CustomStatus = text; break;
                }
            }
        }
    }

    private async Task<TableEntity> ToEntityAsync(InstanceRecord r, CancellationToken cancellationToken)
    {
        var e = ToEntity(r);
        foreach (var column in new[] { "Input", "Output", "CustomStatus" })
        {
            if (e.GetString(column) is { Length: > 30_000 } big)
            {
                var blob = $"{r.InstanceId}/{column}-{Guid.NewGuid():N}.json";
                await hub.LargeMessages.GetBlobClient(blob).UploadAsync(BinaryData.FromString(big), overwrite: true, cancellationToken).ConfigureAwait(false);
                e[column] = null;
                e[column + "BlobName"] = blob;
            }
        }

        return e;
    }

    private TableEntity ToEntity(InstanceRecord r) => new(r.InstanceId, "")
    {
        ["Name"] = r.Name,
        ["Version"] = r.Version ?? "",
        ["Input"] = r.Input,
        ["Output"] = r.Output,
        ["CustomStatus"] = r.CustomStatus,
        ["CreatedTime"] = r.CreatedTime,
        ["LastUpdatedTime"] = r.LastUpdatedTime,
        ["CompletedTime"] = r.CompletedTime,
        ["RuntimeStatus"] = r.RuntimeStatus.ToString(),
        ["ScheduledStartTime"] = null,
        ["ExecutionId"] = r.ExecutionId,
        ["Generation"] = 0,
        ["Tags"] = null,
        ["TaskHubName"] = hub.Name,
        ["HistorySequence"] = r.HistorySequence,
    };
}
