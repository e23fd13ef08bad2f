// Baselines for the HTTP hello comparison with src/Mlops.WorkerHost (driven by wrk; see bench/app/http-hello.sh):
//   dotnet Mlops.WorkerHost.Bench.dll [port]                 bare Kestrel serving the same "hello" as the test app's
//                                                             Hello function: the upper bound for HTTP through the host.
//   dotnet Mlops.WorkerHost.Bench.dll proxy PORT TARGET      YARP's forwarder alone in front of TARGET, configured as the
//                                                             host's: the floor of one proxied hop, without gRPC or a worker.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Yarp.ReverseProxy.Forwarder;

var proxy = args.Length > 0 && args[0] == "proxy";
var port = proxy ? args[1] : args.Length > 0 ? args[0] : "7185";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://localhost:{port}");
if (proxy)
{
    builder.Services.AddHttpForwarder();
}

var app = builder.Build();
if (proxy)
{
    var client = new HttpMessageInvoker(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
    });
    app.MapForwarder("/{**path}", args[2], new ForwarderRequestConfig(), HttpTransformer.Default, client);
}
else
{
    app.MapGet("/api/Hello", (string? name) => $"Hello, {name ?? "world"}");
}

app.Run();
