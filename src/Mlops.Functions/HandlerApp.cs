using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Functions.Hosting;

namespace Mlops.Functions;

/// <summary>
/// The custom handler process: an ASP.NET Core server on <c>127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT</c> that the
/// Functions host (the real one, or tools/func locally) calls for every invocation.
/// </summary>
public static class HandlerApp
{
    /// <summary>Builds and runs the handler until the host stops it.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var portText = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT");
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            await Console.Error.WriteLineAsync(
                "FUNCTIONS_CUSTOMHANDLER_PORT is not set: this is a custom handler that the Functions host starts. " +
                "Run the app with `tools/func start --script-root <this folder>` (or `func start`).").ConfigureAwait(false);
            return 2;
        }

        var app = Build(args, port);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the web application (also used in-process by tests).</summary>
    public static WebApplication Build(string[] args, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        var catalog = FunctionCatalog.FromAssembly(typeof(HandlerApp).Assembly);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton<FunctionDispatcher>();
        builder.Services.AddRouting();
        AppServices.Add(builder.Services, builder.Configuration);

        var app = builder.Build();
        var dispatcher = app.Services.GetRequiredService<FunctionDispatcher>();
        var routePrefix = ReadRoutePrefix();

        // Readiness: the host polls GET / and takes any response as ready (spec §1.3).
        app.MapGet("/", () => Results.Text("ready"));
        foreach (var function in catalog.Functions.Where(f => f.IsForwardedHttp))
        {
            var trigger = (HttpTriggerAttribute)function.Trigger;
            var pattern = "/" + string.Join('/', new[] { routePrefix, trigger.Route }.Where(s => s.Length > 0));
            app.MapMethods(pattern, trigger.Methods.Select(m => m.ToUpperInvariant()), (HttpContext http) => dispatcher.HandleForwardedAsync(function, http));
        }

        app.MapPost("/{functionName}", (string functionName, HttpContext http) => dispatcher.HandlePayloadAsync(functionName, http));
        return app;
    }

    /// <summary>extensions.http.routePrefix from the app root's host.json (default <c>api</c>), as the host routes.</summary>
    private static string ReadRoutePrefix()
    {
        var root = Environment.GetEnvironmentVariable("FUNCTIONS_APP_ROOT_PATH") ?? AppContext.BaseDirectory;
        var path = Path.Combine(root, "host.json");
        if (!File.Exists(path))
        {
            return "api";
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return doc.RootElement.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("http", out var http) &&
               http.TryGetProperty("routePrefix", out var prefix) && prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!.Trim('/')
            : "api";
    }
}
