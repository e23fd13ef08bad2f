using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.TestApp;

/// <summary>Blob, queue and timer triggers with blob outputs so tests can observe every run in storage.</summary>
public sealed class StorageFunctions(ILogger<StorageFunctions> logger)
{
    /// <summary>Content binding: copies the text upper-cased to <c>outgoing/{name}</c>.</summary>
    [Function(nameof(BlobToUpper))]
    [BlobOutput("outgoing/{name}")]
    public string BlobToUpper([BlobTrigger("incoming/{name}")] string content, string name)
    {
        logger.LogInformation("blob {Name}", name);
        return content.ToUpperInvariant();
    }

    /// <summary>SDK-type binding (model binding data) on an Event Grid source, watched locally.</summary>
    [Function(nameof(BlobClientSize))]
    [BlobOutput("sizes/{name}")]
    public async Task<string> BlobClientSize([BlobTrigger("uploads/{name}", Source = BlobTriggerSource.EventGrid)] BlobClient blob, string name)
    {
        var props = await blob.GetPropertiesAsync();
        return $"{blob.Name}:{props.Value.ContentLength}";
    }

    /// <summary>Queue trigger: records the message and its dequeue count; a message "fail" always throws (poison path).</summary>
    [Function(nameof(QueueWork))]
    [BlobOutput("processed/{queueTrigger}")]
    public string QueueWork([QueueTrigger("work-items")] string message, long dequeueCount)
    {
        if (message.StartsWith("fail", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"poison {message} attempt {dequeueCount}");
        }

        return $"{message}:{dequeueCount}";
    }

    /// <summary>Timer with a %Setting% schedule: records each run (past-due flag included).</summary>
    [Function(nameof(Nightly))]
    [BlobOutput("timers/nightly-{rand-guid}")]
    public string Nightly([TimerTrigger("%NightlySchedule%", UseMonitor = true)] TimerInfo timer) =>
        $"pastDue={timer.IsPastDue};next={timer.ScheduleStatus?.Next:O}";
}
