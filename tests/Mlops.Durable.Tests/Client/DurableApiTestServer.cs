using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mlops.Durable.Tests.Client;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (free port) answering the Durable HTTP API as §6.2 describes, over an
/// in-memory instance table. Instances named "Slow" report Running for two status reads, then Completed;
/// an event named "approve" completes an instance with the event data as output.
/// </summary>
internal sealed class DurableApiTestServer : IAsyncDisposable
{
    private const string Base = "/runtime/webhooks/durabletask";
    private static readonly string[] Terminal = ["Completed", "Failed", "Terminated", "Canceled"];
    private readonly WebApplication app;
    private int idCounter;

    private DurableApiTestServer(WebApplication app) => this.app = app;

    public ConcurrentDictionary<string, Instance> Instances { get; } = new();

    public ConcurrentQueue<string> RequestLog { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<DurableApiTestServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new DurableApiTestServer(app);
        server.Map(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await this.app.StopAsync();
        await this.app.DisposeAsync();
    }

    public Instance Add(string id, string name, string status, DateTimeOffset created, string? inputJson = null)
    {
        var instance = new Instance { Id = id, Name = name, Status = status, Created = created, InputJson = inputJson };
        this.Instances[id] = instance;
        return instance;
    }

    // PascalCase like the extension's Web API error bodies.
    private static IResult Json(int status, object body) => Results.Json(body, new JsonSerializerOptions(), statusCode: status);

    private static IResult Message(int status, string message) => Json(status, new { Message = message });

    private void Map(WebApplication web)
    {
        web.Use(async (context, next) =>
        {
            this.RequestLog.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next();
        });

        web.MapPost(Base + "/orchestrators/{name}/{id?}", async (HttpContext context, string name, string? id) =>
        {
            if (name != "Hello" && name != "Slow")
            {
                return Message(400, $"The function '{name}' doesn't exist, is disabled, or is not an orchestrator function.");
            }

            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (body.Length > 0)
            {
                try
                {
                    JsonDocument.Parse(body).Dispose();
                }
                catch (JsonException)
                {
                    return Message(400, "Invalid JSON input.");
                }
            }

            id ??= $"generated{Interlocked.Increment(ref this.idCounter)}";
            if (this.Instances.TryGetValue(id, out Instance? existing) && !Terminal.Contains(existing.Status))
            {
                return Json(500, new { Message = "Something went wrong while processing your request", ExceptionMessage = $"An Orchestration instance with the status {existing.Status} already exists." });
            }

            this.Add(id, name, "Running", DateTimeOffset.UtcNow, body.Length > 0 ? body : null);
            return this.CheckStatus(context, id);
        });

        web.MapGet(Base + "/instances/{id}", (HttpContext context, string id, bool? showHistory, bool? showInput) =>
        {
            if (!this.Instances.TryGetValue(id, out Instance? instance))
            {
                return Results.NotFound();
            }

            if (instance.Name == "Slow" && ++instance.StatusReads > 2)
            {
                instance.Status = "Completed";
                instance.OutputJson = "\"slow done\"";
            }

            JsonObject status = instance.ToJson(showInput ?? true);
            if (showHistory == true)
            {
                status["historyEvents"] = new JsonArray(new JsonObject { ["EventType"] = "ExecutionStarted", ["FunctionName"] = instance.Name });
            }

            if (Terminal.Contains(instance.Status))
            {
                return Results.Json(status, statusCode: 200);
            }

            context.Response.Headers.Location = context.Request.GetEncodedUrl();
            context.Response.Headers.RetryAfter = "5";
            return Results.Json(status, statusCode: 202);
        });

        web.MapGet(Base + "/instances", (HttpContext context, string? instanceIdPrefix, int? top, string? runtimeStatus) =>
        {
            var matching = this.Instances.Values
                .Where(i => instanceIdPrefix is null || i.Id.StartsWith(instanceIdPrefix, StringComparison.Ordinal))
                .Where(i => runtimeStatus is null || runtimeStatus.Split(',').Contains(i.Status))
                .OrderBy(i => i.Id, StringComparer.Ordinal)
                .ToList();
            int skip = int.TryParse(context.Request.Headers["x-ms-continuation-token"].FirstOrDefault(), out int token) ? token : 0;
            int size = top ?? 100;
            var page = matching.Skip(skip).Take(size).ToList();

            // Like the Azure Storage provider, the last page carries base64("null") rather than no header.
            context.Response.Headers["x-ms-continuation-token"] = skip + size < matching.Count ? (skip + size).ToString(System.Globalization.CultureInfo.InvariantCulture) : "bnVsbA==";
            return Results.Json(new JsonArray([.. page.Select(i => (JsonNode)i.ToJson(false))]));
        });

        web.MapPost(Base + "/instances/{id}/raiseEvent/{eventName}", async (HttpContext context, string id, string eventName) =>
        {
            if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                return Message(400, "Only application/json request content is supported");
            }

            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (!this.Instances.TryGetValue(id, out Instance? instance))
            {
                return Message(404, "No instance with ID was found.");
            }

            if (Terminal.Contains(instance.Status))
            {
                return Message(410, "The instance is completed.");
            }

            instance.Events.Add((eventName, body));
            if (eventName == "approve")
            {
                instance.Status = "Completed";
                instance.OutputJson = body;
            }

            return Results.Accepted();
        });

        foreach ((string operation, string newStatus) in new[] { ("terminate", "Terminated"), ("suspend", "Suspended"), ("resume", "Running") })
        {
            web.MapPost(Base + "/instances/{id}/" + operation, (string id, string? reason) =>
            {
                if (!this.Instances.TryGetValue(id, out Instance? instance))
                {
                    return Message(404, "No instance with ID was found.");
                }

                if (Terminal.Contains(instance.Status))
                {
                    return Message(410, "The instance is completed.");
                }

                instance.Status = newStatus;
                instance.LastReason = reason;
                if (newStatus == "Terminated")
                {
                    instance.OutputJson = JsonSerializer.Serialize(reason ?? string.Empty);
                }

                return Results.Accepted();
            });
        }

        web.MapPost(Base + "/instances/{id}/restart", (HttpContext context, string id, bool? restartWithNewInstanceId) =>
        {
            if (!this.Instances.TryGetValue(id, out Instance? instance))
            {
                return Message(400, $"No instance with ID '{id}' was found.");
            }

            string newId = restartWithNewInstanceId == false ? id : $"restarted{Interlocked.Increment(ref this.idCounter)}";
            this.Add(newId, instance.Name, "Running", DateTimeOffset.UtcNow, instance.InputJson);
            return this.CheckStatus(context, newId);
        });

        web.MapDelete(Base + "/instances/{id}", (string id) =>
            this.Instances.TryRemove(id, out _) ? Json(200, new { instancesDeleted = 1 }) : Results.NotFound());

        web.MapDelete(Base + "/instances", (DateTimeOffset? createdTimeFrom, DateTimeOffset? createdTimeTo, string? runtimeStatus) =>
        {
            if (createdTimeFrom is null)
            {
                return Message(400, "createdTimeFrom is required.");
            }

            DateTimeOffset to = createdTimeTo ?? DateTimeOffset.UtcNow;
            var doomed = this.Instances.Values
                .Where(i => i.Created >= createdTimeFrom && i.Created <= to && (runtimeStatus is null || runtimeStatus.Split(',').Contains(i.Status)))
                .ToList();
            doomed.ForEach(i => this.Instances.TryRemove(i.Id, out _));
            return doomed.Count == 0 ? Results.NotFound() : Json(200, new { instancesDeleted = doomed.Count });
        });
    }

    private IResult CheckStatus(HttpContext context, string id)
    {
        string instance = $"{context.Request.Scheme}://{context.Request.Host}{Base}/instances/{Uri.EscapeDataString(id)}";
        string query = "taskHub=TestHub&connection=Storage&code=key";
        context.Response.Headers.Location = $"{instance}?{query}";
        context.Response.Headers.RetryAfter = "10";
        return Json(202, new { id, statusQueryGetUri = $"{instance}?{query}" });
    }

    internal sealed class Instance
    {
        public required string Id { get; init; }

        public required string Name { get; init; }

        public required string Status { get; set; }

        public DateTimeOffset Created { get; init; }

        public string? InputJson { get; init; }

        public string? OutputJson { get; set; }

        public string? LastReason { get; set; }

        public int StatusReads { get; set; }

        public List<(string Name, string Body)> Events { get; } = [];

        public JsonObject ToJson(bool showInput) => new()
        {
            ["name"] = this.Name,
            ["instanceId"] = this.Id,
            ["runtimeStatus"] = this.Status,
            ["input"] = showInput && this.InputJson is not null ? JsonNode.Parse(this.InputJson) : null,
            ["customStatus"] = null,
            ["output"] = this.OutputJson is null ? null : JsonNode.Parse(this.OutputJson),
            ["createdTime"] = this.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["lastUpdatedTime"] = this.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
