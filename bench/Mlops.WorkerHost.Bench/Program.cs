// Bare Kestrel serving the same "hello" as the test app's Hello function: the upper bound for HTTP through the host.
//   dotnet Mlops.WorkerHost.Bench.dll [port]
using Microsoft.AspNetCore.Builder;

var port = args.Length > 0 ? args[0] : "7185";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://localhost:{port}");
var app = builder.Build();
app.MapGet("/api/Hello", (string? name) => $"Hello, {name ?? "world"}");
app.Run();
