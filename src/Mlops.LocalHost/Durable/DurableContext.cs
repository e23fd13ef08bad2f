using Azure.Storage.Queues;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Durable;

/// <summary>What the Durable dispatchers and the client share: the hub, its stores, the handler, and the pollers to wake.</summary>
internal sealed class DurableContext
{
    public required TaskHub Hub { get; init; }

    public required HistoryStore History { get; init; }

    public required InstanceStore Instances { get; init; }

    public required TaskMessageCodec Codec { get; init; }

    public required HandlerInvoker Invoker { get; init; }

    public required ScriptRoot Root { get; init; }

    public required HostConsole Console { get; init; }

    public required FunctionsHostOptions Options { get; init; }

    /// <summary>Wakes this host's poller of a queue (if it has one) right after it enqueued something there.</summary>
    public Action<QueueClient> Wake { get; set; } = _ => { };

    public FunctionDefinition? Orchestrator(string name) => Root.Functions.FirstOrDefault(f =>
        !f.Disabled && f.HasTrigger("orchestrationTrigger") && f.DurableName("orchestration").Equals(name, StringComparison.OrdinalIgnoreCase));

    public FunctionDefinition? Activity(string name) => Root.Functions.FirstOrDefault(f =>
        !f.Disabled && f.HasTrigger("activityTrigger") && f.DurableName("activity").Equals(name, StringComparison.OrdinalIgnoreCase));

    public async Task SendAsync(QueueClient queue, TaskMessage message, TimeSpan? delay, CancellationToken cancellationToken)
    {
        await Codec.SendAsync(queue, message, delay, cancellationToken).ConfigureAwait(false);
        if (delay is null || delay <= TimeSpan.Zero)
        {
            Wake(queue);
        }
    }
}
