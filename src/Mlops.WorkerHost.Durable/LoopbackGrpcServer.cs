using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// One gRPC service on its own small Kestrel, on a free loopback port, speaking cleartext HTTP/2 with prior knowledge
/// (h2c: what the worker's Grpc.Net.Client uses with an <c>http://</c> address). The host runs two: the FunctionRpc
/// event stream and the Durable sidecar. Message sizes are unbounded: histories, payloads and uploads may be large, and
/// each client sets its own receive limit.
/// </summary>
internal sealed class LoopbackGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackGrpcServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:50051/</c>.</summary>
    public Uri Address { get; }

    /// <summary>Starts <typeparamref name="TService"/>; <paramref name="registerServices"/> adds what it needs from DI.</summary>
    public static async Task<LoopbackGrpcServer> StartAsync<TService>(Action<IServiceCollection> registerServices, CancellationToken cancellationToken)
        where TService : class
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        registerServices(builder.Services);
        var app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackGrpcServer(app, new Uri(new Uri(address).GetLeftPart(UriPartial.Authority) + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
