using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Durable;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Http;
using Mlops.LocalHost.Storage;
using Mlops.LocalHost.Triggers;

namespace Mlops.LocalHost;

/// <summary>
/// The local Functions host: runs a custom-handler app folder like <c>func start</c> — the handler process, HTTP, blob,
/// timer and queue triggers, the admin API, and a Durable backend on Azure Storage (Azurite) with its management API.
/// </summary>
public static class FunctionsHost
{
    /// <summary>Starts the host and returns once the handler is ready and every listener runs.</summary>
    public static async Task<RunningFunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new RunningFunctionsHost(options);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>A running host. Dispose to stop the listeners, the web server and the handler process.</summary>
public sealed class RunningFunctionsHost : IAsyncDisposable
{
    private readonly FunctionsHostOptions _options;
    private readonly HostConsole _console;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IAsyncDisposable> _stoppables = [];
    private readonly Dictionary<string, StorageAccount> _accounts = new(StringComparer.Ordinal);
    private ScriptRoot _root = null!;
    private AppSettings _settings = null!;
    private HandlerProcess? _handler;
    private HandlerInvoker? _invoker;
    private WebApplication? _web;
    private MessageLeaseKeeper? _leases;
    private OrchestrationDispatcher? _orchestrations;
    private FunctionRunner? _runner;
    private BlobTriggerListener? _blobs;
    private KeyStore? _keys;
    private ManagementApi? _management;

    internal RunningFunctionsHost(FunctionsHostOptions options)
    {
        _options = options;
        _console = new HostConsole(options.Output ?? Console.Out, options.Verbose);
    }

    /// <summary>The host's base address, e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The id naming this host's receipts, locks and secrets in storage.</summary>
    public string HostId { get; private set; } = "";

    /// <summary>The Durable task hub name (null when the app has no Durable functions).</summary>
    public string? TaskHubName { get; private set; }

    /// <summary>The handler's process id right now (it changes when the handler is restarted).</summary>
    public int? HandlerProcessId => _handler?.ProcessId;

    /// <summary>The master key (what <c>x-functions-key</c> needs for admin-level calls when keys are enforced).</summary>
    public string? MasterKey => _keys?.MasterKey;

    /// <summary>A function's default key.</summary>
    public string? FunctionKey(string functionName) => _keys?.FunctionKey(functionName);

    /// <summary>Number of orchestration instances with an episode queued or running in this host.</summary>
    internal int ActiveOrchestrations => _orchestrations?.ActiveSessions ?? 0;

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        _root = ScriptRoot.Load(_options.ScriptRoot);
        _settings = new AppSettings(_root.LocalSettings, _options.Environment);
        HostId = _options.HostId ?? _settings["AzureFunctionsWebHost__hostid"] ?? DefaultHostId();
        _console.Raw($"Mlops.LocalHost (Azure Functions custom-handler host), script root {_root.Path}");

        var needsStorage = _root.Functions.Any(f => !f.HasTrigger("httpTrigger") || f.Bindings.Any(b => b.IsType("durableClient") || b.IsType("orchestrationClient")));
        var storageConnection = _settings["AzureWebJobsStorage"];
        if (needsStorage && string.IsNullOrEmpty(storageConnection))
        {
            throw new InvalidOperationException("AzureWebJobsStorage: required by the non-HTTP triggers and Durable functions of this app; set it in local.settings.json Values or the environment (UseDevelopmentStorage=true for Azurite).");
        }

        var hostAccount = string.IsNullOrEmpty(storageConnection) ? null : Account(storageConnection);
        _keys = await KeyStore.LoadOrCreateAsync(hostAccount?.Blobs, HostId, _root.Functions.Select(f => f.Name), cancellationToken).ConfigureAwait(false);

        _handler = new HandlerProcess(_root, _settings, _console, _options.HandlerStartupTimeout);
        _invoker = new HandlerInvoker(_handler, _console, FunctionTimeout());

        // Durable backend, when the app has orchestrators, activities or clients.
        DurableClient? durable = null;
        DurableContext? durableContext = null;
        var hasDurable = _root.Functions.Any(f => f.HasTrigger("orchestrationTrigger") || f.HasTrigger("activityTrigger") ||
                                                 f.Bindings.Any(b => b.IsType("durableClient") || b.IsType("orchestrationClient")));
        _leases = new MessageLeaseKeeper(_options.MessageLease);
        _leases.Start();
        if (hasDurable)
        {
            var (hubName, partitions) = TaskHub.Configure(_root, _settings);
            var hub = new TaskHub(Account(_settings.StorageConnection("Storage")), hubName, partitions);
            await hub.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            TaskHubName = hub.Name;
            durableContext = new DurableContext
            {
                Hub = hub,
                History = new HistoryStore(hub),
                Instances = new InstanceStore(hub),
                Codec = new TaskMessageCodec(hub),
                Invoker = _invoker,
                Root = _root,
                Console = _console,
                Options = _options,
            };
            durable = new DurableClient(durableContext);
            _management = new ManagementApi(durable, _keys, _options.EnforceKeys);
        }

        var outputs = new OutputBinder(_settings, name => Account(_settings.StorageConnection(name)), durable);
        _runner = new FunctionRunner(_invoker, outputs, () => BaseUri, durable,
            () => _management?.RequiredQueryStringParameters ?? "");

        await _handler.StartAsync(cancellationToken).ConfigureAwait(false);
        await StartWebAsync(cancellationToken).ConfigureAwait(false);

        if (durableContext is not null)
        {
            StartDurableWorkers(durableContext);
        }

        await StartTriggersAsync(hostAccount, cancellationToken).ConfigureAwait(false);
        PrintFunctions();
        _console.Line("Host started");
    }

    private TimeSpan FunctionTimeout() =>
        ScriptRoot.Value(_root.HostJson, "functionTimeout") is JsonValue v && v.TryGetValue(out string? s) &&
        TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
            ? t
            : _options.FunctionTimeout;

    private StorageAccount Account(string connectionString)
    {
        lock (_accounts)
        {
            if (!_accounts.TryGetValue(connectionString, out var account))
            {
                account = new StorageAccount(connectionString);
                _accounts[connectionString] = account;
            }

            return account;
        }
    }

    private static string DefaultHostId()
    {
        // Like the real host locally: the machine name, lower case, non-alphanumerics as '-', at most 32 characters.
        var chars = Environment.MachineName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var id = new string(chars).Trim('-');
        return (id.Length > 32 ? id[..32] : id).TrimEnd('-') is { Length: > 0 } s ? s : "localhost";
    }

    private void StartDurableWorkers(DurableContext ctx)
    {
        _orchestrations = new OrchestrationDispatcher(ctx);
        var activities = new ActivityDispatcher(ctx);
        var pollers = new Dictionary<string, QueuePoller>(StringComparer.Ordinal);
        foreach (var q in ctx.Hub.ControlQueues)
        {
            pollers[q.Name] = new QueuePoller(q, _leases!, _options.MaxQueuePollInterval, 256, _orchestrations.OnMessageAsync,
                ex => _console.Line($"Control queue {q.Name}: {ex.Message}"));
        }

        pollers[ctx.Hub.WorkItems.Name] = new QueuePoller(ctx.Hub.WorkItems, _leases!, _options.MaxQueuePollInterval, _options.MaxConcurrentActivities,
            activities.OnWorkItemAsync, ex => _console.Line($"Work-item queue: {ex.Message}"));
        ctx.Wake = queue =>
        {
            if (pollers.TryGetValue(queue.Name, out var p))
            {
                p.Signal();
            }
        };
        foreach (var p in pollers.Values)
        {
            p.Start();
            _stoppables.Add(p);
        }
    }

    private async Task StartTriggersAsync(StorageAccount? hostAccount, CancellationToken cancellationToken)
    {
        var active = _root.Functions.Where(f => !f.Disabled).ToList();
        foreach (var f in active.Where(f => f.HasTrigger("queueTrigger")))
        {
            var listener = new QueueTriggerListener(f, Account(_settings.StorageConnection(f.Trigger!.Get("connection"))), _runner!, _leases!, _options, _console, _settings, _root);
            await listener.StartAsync(cancellationToken).ConfigureAwait(false);
            _stoppables.Add(listener);
        }

        var blobFunctions = active.Where(f => f.HasTrigger("blobTrigger")).ToList();
        if (blobFunctions.Count > 0)
        {
            _blobs = new BlobTriggerListener(blobFunctions, name => Account(_settings.StorageConnection(name)), hostAccount!, _runner!, _leases!, _options, _console, _settings, HostId);
            await _blobs.StartAsync(cancellationToken).ConfigureAwait(false);
            _stoppables.Add(_blobs);
        }

        foreach (var f in active.Where(f => f.HasTrigger("timerTrigger")))
        {
            var timer = new TimerTriggerListener(f, hostAccount!, _runner!, _options, _console, _settings, HostId);
            timer.Start();
            _stoppables.Add(timer);
        }
    }

    private async Task StartWebAsync(CancellationToken cancellationToken)
    {
        // No appsettings reload and the host's own folder as content root: otherwise a file watcher scans the working
        // directory and wakes on every write there (our own log file, when redirected into it, included).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (_options.Port == 0)
            {
                k.Listen(IPAddress.Loopback, 0);
            }
            else
            {
                k.ListenLocalhost(_options.Port);
            }

            k.Limits.MaxRequestBodySize = 100 * 1024 * 1024;
        });
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _console.Line($"{http.Request.Method} {http.Request.Path} failed: {ex}");
                if (!http.Response.HasStarted)
                {
                    http.Response.StatusCode = 500;
                }
            }
        });
        app.MapPost("/admin/functions/{name}", AdminInvokeAsync);
        app.MapGet("/admin/host/status", () => Results.Json(new JsonObject { ["state"] = "Running", ["id"] = HostId }));
        _management?.Map(app);
        new HttpTriggers(_root, _runner!, _handler!, _keys!, _options.EnforceKeys, _console).Map(app);
        app.MapGet("/", () => Results.Text("Your Functions app is up and running (Mlops.LocalHost).", "text/plain"));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _web = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).OrderBy(u => u.Host == "127.0.0.1" ? 0 : 1).First();
        BaseUri = new Uri($"http://{(address.Host is "[::1]" or "localhost" ? "localhost" : address.Host)}:{address.Port}/");
    }

    /// <summary><c>POST /admin/functions/{name}</c> (spec §1.5, §9a): 202 with an empty body and the run in the background.</summary>
    private async Task<IResult> AdminInvokeAsync(HttpContext http, string name)
    {
        if (_options.EnforceKeys && !_keys!.Authorizes("admin", name, http.Request.Headers["x-functions-key"].FirstOrDefault()))
        {
            return Results.Unauthorized();
        }

        var function = _root.Find(name);
        if (function is null || function.Disabled)
        {
            return Results.NotFound();
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            return Results.BadRequest();
        }

        var input = body.FirstOrDefault(p => p.Key.Equals("input", StringComparison.OrdinalIgnoreCase)).Value;
        var inputText = input is JsonValue v && v.TryGetValue(out string? s) ? s : input?.ToJsonString() ?? "";
        _ = Task.Run(() => RunManuallyAsync(function, inputText, _stopping.Token));
        return Results.StatusCode(202);
    }

    private async Task RunManuallyAsync(FunctionDefinition function, string input, CancellationToken cancellationToken)
    {
        const string Reason = "This function was programmatically called via the host APIs.";
        try
        {
            if (function.HasTrigger("timerTrigger"))
            {
                var data = new JsonObject
                {
                    [function.Trigger!.Name] = new JsonObject { ["Schedule"] = new JsonObject { ["AdjustForDST"] = true }, ["ScheduleStatus"] = null, ["IsPastDue"] = false },
                };
                await _runner!.RunAsync(function, data, [], new Dictionary<string, string>(), Reason, cancellationToken).ConfigureAwait(false);
            }
            else if (function.HasTrigger("blobTrigger") && _blobs is not null)
            {
                var slash = input.IndexOf('/');
                await _blobs.InvokeAsync(function, input[..Math.Max(slash, 0)], input[(slash + 1)..], null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var data = new JsonObject { [function.Trigger?.Name ?? "input"] = PayloadEncoding.EncodeString(input) };
                var metadata = new JsonObject();
                PayloadEncoding.ApplyObjectProperties(input, metadata);
                await _runner!.RunAsync(function, data, metadata, new Dictionary<string, string> { ["QueueTrigger"] = input }, Reason, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _console.Line($"Manual run of {function.Name} failed: {ex.Message}");
        }
    }

    private void PrintFunctions()
    {
        _console.Raw("");
        _console.Raw("Functions:");
        _console.Raw("");
        foreach (var f in _root.Functions.Where(f => !f.Disabled))
        {
            if (f.HasTrigger("httpTrigger"))
            {
                var methods = HttpTriggers.Methods(f);
                var route = HttpTriggers.Route(_root, f);
                _console.Raw($"\t{f.Name}: [{(methods is null ? "GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS" : string.Join(',', methods))}] {new Uri(BaseUri, route.TrimStart('/'))}");
            }
            else
            {
                _console.Raw($"\t{f.Name}: {f.TriggerType}");
            }

            _console.Raw("");
        }

        _console.Raw($"For detailed output, run func with --verbose flag.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        for (var i = _stoppables.Count - 1; i >= 0; i--)
        {
            await _stoppables[i].DisposeAsync().ConfigureAwait(false);
        }

        if (_leases is not null)
        {
            await _leases.DisposeAsync().ConfigureAwait(false);
        }

        if (_web is not null)
        {
            await _web.StopAsync().ConfigureAwait(false);
            await _web.DisposeAsync().ConfigureAwait(false);
        }

        if (_handler is not null)
        {
            await _handler.DisposeAsync().ConfigureAwait(false);
        }

        _invoker?.Dispose();
        _stopping.Dispose();
        await _console.DisposeAsync().ConfigureAwait(false);
    }
}
