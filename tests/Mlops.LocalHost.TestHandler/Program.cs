using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Mlops.Durable;

// A custom handler for the LocalHost tests. Every invocation body it receives is recorded as a blob
// probe/{function}/{ticks}-{guid}.json, so tests can check the exact wire payload the host sent.
var port = Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? "5099";
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.ClearProviders();
var app = builder.Build();

var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
var probes = storage is null ? null : new BlobServiceClient(storage).GetBlobContainerClient("probe");
if (probes is not null)
{
    await probes.CreateIfNotExistsAsync();
}

using var http = new HttpClient();

var registry = new DurableFunctionRegistry()
    .AddOrchestrator<int, List<string>>("Chain", async (ctx, n) =>
    {
        var results = new List<string>();
        for (var i = 0; i < n; i++)
        {
            results.Add(await ctx.CallActivityAsync<string>("Hello", $"n{i}"));
        }

        return results;
    })
    .AddOrchestrator<int, int>("FanOut", async (ctx, n) =>
    {
        var tasks = Enumerable.Range(0, n).Select(i => ctx.CallActivityAsync<int>("Noop", i)).ToList();
        return (await Task.WhenAll(tasks)).Sum();
    })
    .AddOrchestrator<string, string>("Approval", async (ctx, who) =>
    {
        ctx.SetCustomStatus("waiting");
        await ctx.CreateTimer(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        var answer = await ctx.WaitForExternalEvent<string>("Approve");
        ctx.SetCustomStatus("done");
        return $"{who}:{answer}";
    })
    .AddOrchestrator<int, List<string>>("Parent", async (ctx, n) =>
    {
        var child = await ctx.CallSubOrchestratorAsync<List<string>>("Chain", n);
        ctx.SendEvent(ctx.InstanceId + "-peer", "Ping", "from-parent");
        return child;
    })
    .AddOrchestrator<int, int>("Counter", async (ctx, n) =>
    {
        await Task.CompletedTask;
        if (n < 3)
        {
            ctx.ContinueAsNew(n + 1);
            return 0;
        }

        return n;
    })
    .AddOrchestrator<string, string>("Failing", async (ctx, _) => await ctx.CallActivityAsync<string>("Fail", "boom"))
    .AddOrchestrator<string, string>("Forever", async (ctx, _) => await ctx.WaitForExternalEvent<string>("Ping"))
    .AddOrchestrator<string, string>("RecordInput", async (ctx, _) =>
    {
        var a = await ctx.CallActivityAsync<string>("Record", "Tokyo");
        var b = await ctx.CallActivityAsync<string>("Record", new { instanceId = "leaked", data = 5, name = "n" });
        return a + "|" + b;
    })
    .AddActivity<string, string>("Hello", (_, name) => $"Hello {name}!")
    .AddActivity<int, int>("Noop", (_, i) => i)
    .AddActivity<JsonElement, string>("Record", (_, _) => "2024-01-01T00:00:00.000Z");

app.MapGet("/", () => Results.Text("ready"));

// Forwarded requests arrive at their original path (spec §2.4).
app.Map("/api/plain", async (HttpContext ctx) =>
{
    using var reader = new StreamReader(ctx.Request.Body);
    var body = await reader.ReadToEndAsync();
    var hostHeader = ctx.Request.Headers["X-Azure-Functions-InvocationId"].ToString();
    return Results.Text($"forwarded:{ctx.Request.Method}:{ctx.Request.QueryString}:{body}:{(hostHeader.Length > 0 ? "has-invocation-id" : "none")}");
});

app.MapPost("/{function}", async (HttpContext ctx, string function) =>
{
    using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
    var body = doc.RootElement;
    if (probes is not null && function != "Noop" && function != "Hello")
    {
        await probes.GetBlobClient($"{function}/{DateTime.UtcNow.Ticks:D20}-{Guid.NewGuid():N}.json")
            .UploadAsync(BinaryData.FromString(body.GetRawText()));
    }

    switch (function)
    {
        case "Chain" or "FanOut" or "Approval" or "Parent" or "Counter" or "Failing" or "Forever" or "RecordInput":
            return Json(await registry.InvokeOrchestratorAsync(body, "context"));
        case "Fail":
            return Results.StatusCode(500);
        case "Hello" or "Noop" or "Record":
            return Json(await registry.InvokeActivityAsync(function, body, "input"));
        case "Echo":
            return Json(new JsonObject
            {
                ["Outputs"] = new JsonObject
                {
                    ["res"] = new JsonObject
                    {
                        ["statusCode"] = "201",
                        ["body"] = JsonNode.Parse(body.GetRawText()),
                        ["headers"] = new JsonObject { ["Content-Type"] = "application/json", ["x-custom"] = "yes" },
                    },
                },
                ["Logs"] = new JsonArray("echo ran"),
            }.ToJsonString());
        case "Plain":
            return Json("""{"Outputs":{"res":{"body":"payload"}}}""");
        case "Starter":
        {
            var client = JsonNode.Parse(CustomHandlerPayload.ReadDurableClientPayload(body, "starter"))!;
            var orchestrator = body.GetProperty("Data").GetProperty("req").GetProperty("Params").GetProperty("orchestrator").GetString();
            var input = body.GetProperty("Data").GetProperty("req").TryGetProperty("Body", out var b) ? b.GetString() : null;
            var url = $"{client["httpBaseUrl"]}/orchestrators/{orchestrator}?{client["requiredQueryStringParameters"]}";
            using var response = await http.PostAsync(url, new StringContent(input ?? "", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            return Json(new JsonObject
            {
                ["Outputs"] = new JsonObject
                {
                    ["res"] = new JsonObject
                    {
                        ["statusCode"] = (int)response.StatusCode,
                        ["body"] = text,
                        ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    },
                },
            }.ToJsonString());
        }

        case "BlobProbe":
            // Copy the blob (base64 in, base64 out: the host decodes it back to bytes).
            var content = body.GetProperty("Data").GetProperty("blob").GetString();
            return Json(new JsonObject { ["Outputs"] = new JsonObject { ["outBlob"] = content } }.ToJsonString());
        case "BlobAlwaysFails" or "QueueFails":
            return Results.StatusCode(500);
        default:
            return Json("{}");
    }
});

app.Run();

static IResult Json(string json) => Results.Text(json, "application/json");
