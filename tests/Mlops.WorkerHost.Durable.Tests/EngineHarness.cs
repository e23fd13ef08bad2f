using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mlops.WorkerHost.Durable.Tests;

/// <summary>
/// One running engine on a task hub, with the real <see cref="DurableTaskClient"/> on its sidecar and an HTTP
/// server carrying its management API (as the host's public port would).
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly WebApplication _http;

    private EngineHarness(DurableEngine engine, GrpcChannel channel, DurableTaskClient client, WebApplication http, Uri httpBase)
    {
        Engine = engine;
        _channel = channel;
        Client = client;
        _http = http;
        HttpBase = httpBase;
        Http = new HttpClient { BaseAddress = httpBase };
    }

    public DurableEngine Engine { get; }

    public DurableTaskClient Client { get; }

    public HttpClient Http { get; }

    public Uri HttpBase { get; }

    public static DurableEngineOptions Options(string connectionString, string hub) => new(connectionString)
    {
        HubName = hub,
        PartitionCount = 2,
        WorkerId = "test-" + hub,
    };

    public static async Task<EngineHarness> StartAsync(DurableEngineOptions options, IDurableFunctionInvoker invoker)
    {
        var engine = await DurableEngine.StartAsync(options, invoker, Environment.GetEnvironmentVariable("DURABLE_TEST_LOG") is { } log ? LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(log)).SetMinimumLevel(LogLevel.Trace)) : NullLoggerFactory.Instance);
        var channel = GrpcChannel.ForAddress(engine.SidecarAddress);
        var client = new GrpcDurableTaskClient("test", new GrpcDurableTaskClientOptions { Channel = channel }, NullLogger.Instance);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        engine.MapManagementApi(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EngineHarness(engine, channel, client, app, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _http.StopAsync();
        await _http.DisposeAsync();
        await Client.DisposeAsync();
        _channel.Dispose();
        await Engine.DisposeAsync();
    }
}
