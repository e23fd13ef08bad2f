using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// The Durable Functions engine of the local host: a DTFx <c>TaskHubWorker</c> on Azure Storage whose dispatcher
/// middleware hands orchestrator episodes and activities to the worker, the gRPC sidecar that the worker's
/// <c>DurableTaskClient</c> talks to, and the HTTP management API.
/// </summary>
public sealed class DurableEngine : IAsyncDisposable
{
    private DurableEngine(string taskHubName, Uri sidecarAddress)
    {
        TaskHubName = taskHubName;
        SidecarAddress = sidecarAddress;
    }

    /// <summary>The task hub this engine serves.</summary>
    public string TaskHubName { get; }

    /// <summary>Address of the <c>TaskHubSidecarService</c> (cleartext HTTP/2, loopback, free port).</summary>
    public Uri SidecarAddress { get; }

    /// <summary>Creates the hub if needed, starts the DTFx worker and the sidecar.</summary>
    public static Task<DurableEngine> StartAsync(DurableEngineOptions options, IDurableFunctionInvoker invoker, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        throw new NotImplementedException();
    }

    /// <summary>
    /// The value (<c>TypedData.string</c>) of a <c>durableClient</c> input binding: the JSON the worker's
    /// <c>DurableTaskClientConverter</c> reads.
    /// </summary>
    public string ClientBindingJson(Uri publicBaseUri, string? requiredQueryStringParameters) => throw new NotImplementedException();

    /// <summary>Maps the HTTP management API under <c>/runtime/webhooks/durabletask</c>.</summary>
    public IEndpointConventionBuilder MapManagementApi(IEndpointRouteBuilder endpoints) => throw new NotImplementedException();

    /// <summary>Stops the sidecar and the DTFx worker (in-flight work items are abandoned, not lost).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
