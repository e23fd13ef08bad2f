using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.TestApp;

/// <summary>HTTP triggers: default route, templates with constraints, optional and catch-all parameters, outputs.</summary>
public sealed class HttpFunctions(ILogger<HttpFunctions> logger)
{
    [Function(nameof(Hello))]
    public IActionResult Hello([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post")] HttpRequest req)
    {
        logger.LogInformation("hello from the worker");
        return new OkObjectResult($"Hello, {req.Query["name"].FirstOrDefault() ?? "world"}");
    }

    [Function(nameof(Item))]
    public IActionResult Item([HttpTrigger(AuthorizationLevel.Function, "get", Route = "items/{id:int}/{kind?}")] HttpRequest req, int id, string? kind) =>
        new OkObjectResult($"item {id} {kind ?? "none"}");

    [Function(nameof(Files))]
    public IActionResult Files([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "files/{*path}")] HttpRequest req, string path) =>
        new OkObjectResult($"path {path}");

    [Function(nameof(Echo))]
    public async Task<IActionResult> Echo([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req)
    {
        using var reader = new StreamReader(req.Body);
        return new ContentResult { Content = await reader.ReadToEndAsync(), ContentType = "text/plain", StatusCode = 201 };
    }

    [Function(nameof(Fail))]
    public IActionResult Fail([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req) =>
        throw new InvalidOperationException("boom from Fail");

    /// <summary>An HTTP request that writes a queue message through an output binding.</summary>
    [Function(nameof(Enqueue))]
    public EnqueueOutput Enqueue([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req) =>
        new() { Message = req.Query["text"].FirstOrDefault() ?? "none", Result = new AcceptedResult() };
}

/// <summary>Multiple outputs: an HTTP result and a queue message.</summary>
public sealed class EnqueueOutput
{
    [QueueOutput("work-items")]
    public string? Message { get; set; }

    [HttpResult]
    public IActionResult? Result { get; set; }
}
