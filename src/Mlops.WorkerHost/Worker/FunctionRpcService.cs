using System.Collections.Concurrent;
using Grpc.Core;
using Mlops.WorkerHost.Rpc;

namespace Mlops.WorkerHost.Worker;

/// <summary>Channels waiting for their worker to connect, by worker id (the worker names itself in StartStream).</summary>
internal sealed class WorkerRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.OrdinalIgnoreCase);

    public void Add(WorkerChannel channel) => _channels[channel.WorkerId] = channel;

    public void Remove(WorkerChannel channel) => _channels.TryRemove(channel.WorkerId, out _);

    public WorkerChannel? Find(string workerId) => _channels.TryGetValue(workerId, out var c) ? c : null;
}

/// <summary>The gRPC edge: <c>AzureFunctionsRpcMessages.FunctionRpc/EventStream</c>, handed to the channel of the worker that opened it.</summary>
internal sealed class FunctionRpcService(WorkerRegistry registry) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.FailedPrecondition, "the first message must be StartStream."));
        }

        var channel = registry.Find(first.StartStream.WorkerId)
            ?? throw new Grpc.Core.RpcException(new Status(StatusCode.NotFound, $"no worker '{first.StartStream.WorkerId}' was started by this host."));
        await channel.RunStreamAsync(requestStream, responseStream, context.CancellationToken).ConfigureAwait(false);
    }
}
