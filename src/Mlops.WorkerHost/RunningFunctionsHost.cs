using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.WorkerHost.Admin;
using Mlops.WorkerHost.Bindings;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Durable;
using Mlops.WorkerHost.DurableHosting;
using Mlops.WorkerHost.Http;
using Mlops.WorkerHost.Invocation;
using Mlops.WorkerHost.Storage;
using Mlops.WorkerHost.Triggers;
using Mlops.WorkerHost.Worker;
using Yarp.ReverseProxy.Forwarder;

namespace Mlops.WorkerHost;

/// <summary>A running host. Dispose to stop listeners, the web server and the worker (WorkerTerminate, 5 s grace, then kill).</summary>
public sealed class RunningFunctionsHost : IAsyncDisposable
{
    private readonly FunctionsHostOptions _options;
    private readonly HostConsole _console;
    private readonly List<ITriggerListener> _listeners = [];
    private WorkerSupervisor? _workers;
    private LoopbackGrpcServer? _grpc;
    private WebApplication? _web;
    private WorkerHttpForwarder? _forwarder;
    private DurableEngine? _durable;
    private KeyStore? _keys;
    private string _state = "Starting";

    internal RunningFunctionsHost(FunctionsHostOptions options)
    {
        _options = options;
        _console = new HostConsole(options.Output ?? Console.Out, options.Verbose);
    }

    /// <summary>The host's public base address, e.g. <c>http://localhost:7071/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The id naming this host's receipts, timer status and keys in storage.</summary>
    public string HostId { get; private set; } = "";

    /// <summary>The names of the functions the worker indexed.</summary>
    public IReadOnlyList<string> FunctionNames { get; private set; } = [];

    /// <summary>The Durable task hub name (null when the app has no Durable functions).</summary>
    public string? TaskHubName => _durable?.TaskHubName;

    /// <summary>The worker's process id right now (it changes when the worker is restarted).</summary>
    public int? WorkerProcessId => _workers?.ProcessId;

    /// <summary>The master key (admin level); set only with <see cref="FunctionsHostOptions.EnforceKeys"/>.</summary>
    public string? MasterKey => _keys?.MasterKey;

    /// <summary>A function's default key; null without <see cref="FunctionsHostOptions.EnforceKeys"/>.</summary>
    public string? FunctionKey(string function) => _keys?.FunctionKey(function);

    /// <summary>Kills the worker process without notice; the host restarts it (tests use this to play a crash).</summary>
    public void KillWorker() => _workers?.KillCurrent();

    /// <summary>
    /// The largest request body the host accepts, as the Functions host: <c>FUNCTIONS_REQUEST_BODY_SIZE_LIMIT</c> bytes,
    /// 100 MiB by default (Kestrel's own default, 30 MB, is not the Functions host's).
    /// </summary>
    internal static long RequestBodySizeLimit(AppSettings settings) =>
        long.TryParse(settings["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : 100L * 1024 * 1024;

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        var root = ScriptRoot.Load(_options.ScriptRoot);
        var settings = new AppSettings(root.Settings, _options.Environment);
        HostId = _options.HostId ?? HostIdFor(Environment.MachineName);
        var port = _options.Port ?? root.Settings.LocalHttpPort ?? 7071;

        // The public listener is bound first so the worker can be told its own public address (WEBSITE_HOSTNAME).
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var publicPort = port == 0 ? FreePort() : port;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenLocalhost(publicPort);
            k.Limits.MaxRequestBodySize = RequestBodySizeLimit(settings);
        });
        builder.Services.AddHttpForwarder();
        builder.Services.AddRouting();
        var app = builder.Build();

        var registry = new WorkerRegistry();
        // Started before the worker, so the public app can be built once the worker has said which functions it has.
        var grpc = _grpc = await LoopbackGrpcServer.StartAsync<FunctionRpcService>(services => services.AddSingleton(registry), cancellationToken).ConfigureAwait(false);

        BaseUri = new Uri($"http://localhost:{publicPort}/");
        var environment = new Dictionary<string, string>(settings.WorkerEnvironment, StringComparer.Ordinal)
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["WEBSITE_HOSTNAME"] = $"localhost:{publicPort}",
        };
        _workers = new WorkerSupervisor(root, environment, registry, _console);
        var timeout = FunctionTimeout(root.HostJson) ?? _options.FunctionTimeout;
        var dispatcher = new InvocationDispatcher(_workers, _console, timeout);

        // The Durable engine (task hub creation on storage) starts while the worker boots; functions.metadata says whether it is needed.
        var durableInvoker = new WorkerDurableInvoker(dispatcher) { Functions = root.ReadFunctionsMetadata() };
        var durableStart = root.ReadFunctionsMetadata().Any(WorkerDurableInvoker.IsDurable)
            ? DurableEngine.StartAsync(DurableEngineOptions.FromHostJson(root.DurableTaskSection, settings.StorageConnection(null)), durableInvoker, app.Services.GetRequiredService<ILoggerFactory>(), cancellationToken)
            : null;
        var worker = await _workers.StartAsync(grpc.Address, cancellationToken).ConfigureAwait(false);
        var functions = worker.Functions;
        FunctionNames = functions.Select(f => f.Name).ToList();
        durableInvoker.Functions = functions;
        if (durableStart is not null)
        {
            _durable = await durableStart.ConfigureAwait(false);
        }

        var storage = new StorageClients(settings);
        if (_options.EnforceKeys)
        {
            _keys = await KeyStore.LoadOrCreateAsync(settings["AzureWebJobsStorage"] is { Length: > 0 } ? storage.Blobs(null) : null, HostId, FunctionNames, cancellationToken).ConfigureAwait(false);
        }

        var inputs = new InputBinder { PublicBaseUri = BaseUri };
        if (_durable is { } engine)
        {
            // Locally Core Tools needs no key on the management URLs; with --enable-auth they carry the Durable system key.
            var query = _keys is null ? null : "code=" + Uri.EscapeDataString(_keys.DurableExtensionKey);
            inputs.DurableClientJson = uri => engine.ClientBindingJson(uri, query);
            var management = engine.MapManagementApi(app);
            if (_keys is { } keys)
            {
                management.AddEndpointFilter(async (ctx, next) =>
                    keys.AuthorizesDurable(HttpFunctionHandler.RequestKey(ctx.HttpContext.Request)) ? await next(ctx).ConfigureAwait(false) : Results.Unauthorized());
            }
        }

        var outputs = new OutputBinder(storage, settings);
        var forwarder = _forwarder = new WorkerHttpForwarder(app.Services.GetRequiredService<IHttpForwarder>());
        var http = new HttpFunctionHandler(dispatcher, forwarder, inputs, outputs, _keys);
        HttpFunctionEndpoints.Map(app, root.RoutePrefix, functions, http);

        var context = new TriggerContext(dispatcher, inputs, outputs, storage, settings, root, _console, HostId, _options);
        _listeners.AddRange([new QueueTriggerListener(context), new BlobTriggerListener(context), new TimerTriggerListener(context)]);
        new AdminApi(Fire, () => _state, _keys, HostId).Map(app);

        _web = app;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            await listener.StartAsync(functions.Where(listener.Handles).ToList(), cancellationToken).ConfigureAwait(false);
        }

        PrintFunctions(root, functions);
        _state = "Running";

        bool Fire(string name, string? input)
        {
            var function = functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            var listener = function is null ? null : _listeners.FirstOrDefault(l => l.Handles(function));
            listener?.Fire(function!, input);
            return listener is not null;
        }
    }

    private void PrintFunctions(ScriptRoot root, IReadOnlyList<FunctionDefinition> functions)
    {
        _console.Raw("");
        _console.Raw("Functions:");
        _console.Raw("");
        foreach (var f in functions.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (f.HasTrigger("httpTrigger"))
            {
                var methods = HttpFunctionEndpoints.Methods(f);
                var verbs = methods.Count == 0 ? "" : $"[{string.Join(',', methods)}] ";
                _console.Raw($"\t{f.Name}: {verbs}{BaseUri}{HttpFunctionEndpoints.Template(root.RoutePrefix, f)}");
            }
            else
            {
                _console.Raw($"\t{f.Name}: {f.TriggerType}");
            }

            _console.Raw("");
        }

        _console.Line("Host started.");
    }

    /// <summary>host.json <c>functionTimeout</c> ("hh:mm:ss"); -1 means unbounded.</summary>
    private static TimeSpan? FunctionTimeout(JsonObject hostJson) =>
        hostJson["functionTimeout"]?.ToString() switch
        {
            "-1" => Timeout.InfiniteTimeSpan,
            { } s when TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) => t,
            _ => null,
        };

    /// <summary>Like the real host locally: the machine name, lower-cased, trimmed to 32 characters.</summary>
    private static string HostIdFor(string machine)
    {
        var id = new string(machine.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        return id.Length > 32 ? id[..32] : id.Length == 0 ? "localhost" : id;
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Stops listeners, then the web servers, then the worker.</summary>
    public async ValueTask DisposeAsync()
    {
        _state = "Stopping";
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_web is not null)
        {
            await _web.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _web.DisposeAsync().ConfigureAwait(false);
        }

        // Durable first: its in-flight episodes are abandoned (DTFx re-runs them) rather than failed by the stopping worker.
        if (_durable is not null)
        {
            await _durable.DisposeAsync().ConfigureAwait(false);
        }

        // The worker goes before the gRPC server: WorkerTerminate travels on its stream.
        if (_workers is not null)
        {
            await _workers.DisposeAsync().ConfigureAwait(false);
        }

        if (_grpc is not null)
        {
            await _grpc.DisposeAsync().ConfigureAwait(false);
        }

        _forwarder?.Dispose();

        _state = "Stopped";
        await _console.DisposeAsync().ConfigureAwait(false);
    }
}
