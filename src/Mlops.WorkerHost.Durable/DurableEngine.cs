using System.Text.Json.Nodes;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// The Durable Functions engine of the local host: a DTFx <c>TaskHubWorker</c> on Azure Storage whose dispatcher
/// middleware hands orchestrator episodes and activities to the worker, the gRPC sidecar that the worker's
/// <c>DurableTaskClient</c> talks to, and the HTTP management API.
/// </summary>
public sealed class DurableEngine : IAsyncDisposable
{
    /// <summary>Path of the HTTP management API on the host's public port.</summary>
    public const string ManagementBasePath = "/runtime/webhooks/durabletask";

    // What the Durable extension 3.x sends when host.json does not set maxGrpcMessageSizeInBytes.
    private const int MaxGrpcMessageSizeInBytes = 4 * 1024 * 1024;

    private readonly DurableEngineOptions _options;
    private readonly TaskHubWorker _worker;
    private readonly AzureStorageOrchestrationService _service;
    private readonly LoopbackGrpcServer _sidecar;
    private readonly CancellationTokenSource _stopping;
    private readonly ManagementApi _managementApi;
    private int _disposed;

    private DurableEngine(DurableEngineOptions options, IDurableFunctionInvoker invoker, TaskHubWorker worker, LoopbackGrpcServer sidecar, TaskHubOperations hub, CancellationTokenSource stopping)
    {
        _options = options;
        _worker = worker;
        _service = hub.Service;
        _sidecar = sidecar;
        _stopping = stopping;
        _managementApi = new ManagementApi(hub, invoker);
    }

    /// <summary>The task hub this engine serves.</summary>
    public string TaskHubName => _options.HubName;

    /// <summary>Address of the <c>TaskHubSidecarService</c> (cleartext HTTP/2, loopback, free port).</summary>
    public Uri SidecarAddress => _sidecar.Address;

    /// <summary>Creates the hub if needed, starts the DTFx worker and the sidecar.</summary>
    public static async Task<DurableEngine> StartAsync(DurableEngineOptions options, IDurableFunctionInvoker invoker, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();

        var service = new AzureStorageOrchestrationService(StorageSettings.Create(options, loggerFactory));
        await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var hub = new TaskHubOperations(service);
        var stopping = new CancellationTokenSource();
        var logger = loggerFactory.CreateLogger("Mlops.WorkerHost.Durable");
        var worker = new TaskHubWorker(service, loggerFactory);
        worker.AddOrchestrationDispatcherMiddleware(new OrchestrationMiddleware(invoker, logger, stopping.Token).InvokeAsync);
        worker.AddActivityDispatcherMiddleware(new ActivityMiddleware(invoker, logger, stopping.Token).InvokeAsync);
        LoopbackGrpcServer? sidecar = null;
        try
        {
            sidecar = await LoopbackGrpcServer.StartAsync<SidecarService>(
                services => services.AddSingleton(loggerFactory).AddSingleton(hub), cancellationToken).ConfigureAwait(false);
            await worker.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return new DurableEngine(options, invoker, worker, sidecar, hub, stopping);
        }
        catch
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync().ConfigureAwait(false);
            }

            stopping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The value (<c>TypedData.string</c>) of a <c>durableClient</c> input binding: the JSON the worker's
    /// <c>DurableTaskClientConverter</c> reads (spec §5.7, §8.11).
    /// </summary>
    /// <param name="publicBaseUri">The host's public base address, e.g. <c>http://localhost:7071/</c>.</param>
    /// <param name="requiredQueryStringParameters">Query appended to management URLs (no leading <c>?</c>), or null.</param>
    public string ClientBindingJson(Uri publicBaseUri, string? requiredQueryStringParameters)
    {
        ArgumentNullException.ThrowIfNull(publicBaseUri);
        return new JsonObject
        {
            ["taskHubName"] = TaskHubName,
            ["connectionName"] = _options.ConnectionName,
            ["rpcBaseUrl"] = SidecarAddress.ToString(),
            ["httpBaseUrl"] = new Uri(publicBaseUri, ManagementBasePath).ToString().TrimEnd('/'),
            ["requiredQueryStringParameters"] = requiredQueryStringParameters ?? "",
            ["maxGrpcMessageSizeInBytes"] = MaxGrpcMessageSizeInBytes,

            // The worker deserializes this value a second time into a TimeSpan: a JSON string inside a string.
            ["grpcHttpClientTimeout"] = "\"00:01:40\"",
        }.ToJsonString();
    }

    /// <summary>Maps the HTTP management API under <c>/runtime/webhooks/durabletask</c>.</summary>
    public IEndpointConventionBuilder MapManagementApi(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return _managementApi.Map(endpoints);
    }

    /// <summary>
    /// Stops the sidecar and the DTFx worker. Work in flight is abandoned, not lost: its messages come back to
    /// whichever engine next runs on the hub.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancel invocations first so that dispatchers holding work items abandon them instead of waiting.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sidecar.DisposeAsync().ConfigureAwait(false);
        await _worker.StopAsync(isForced: true).ConfigureAwait(false);
        _worker.Dispose();
        _service.Dispose();
        _stopping.Dispose();
    }
}
