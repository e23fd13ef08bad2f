using System.Text.Json;

namespace Mlops.Functions.Hosting;

/// <summary>What every invocation gets besides its trigger value.</summary>
public sealed class FunctionContext
{
    internal FunctionContext(string functionName, string invocationId, IServiceProvider services,
        JsonElement metadata, string? durableClientPayload, CancellationToken cancellationToken)
    {
        FunctionName = functionName;
        InvocationId = invocationId;
        Services = services;
        Metadata = metadata;
        DurableClientPayload = durableClientPayload;
        CancellationToken = cancellationToken;
    }

    /// <summary>The function's name.</summary>
    public string FunctionName { get; }

    /// <summary>The host's invocation id (header <c>X-Azure-Functions-InvocationId</c>), for logs.</summary>
    public string InvocationId { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The invocation's raw <c>Metadata</c> object (values are JSON-quoted strings, spec §2.1).</summary>
    public JsonElement Metadata { get; }

    /// <summary>The <c>durableClient</c> binding's JSON text (spec §6.1), when the function declares one.</summary>
    public string? DurableClientPayload { get; }

    /// <summary>Cancelled when the host gives up on the invocation.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Lines returned to the host in <c>Logs</c>; the host logs each at Information level.</summary>
    public List<string> Logs { get; } = [];
}

/// <summary>An HTTP-triggered function.</summary>
public interface IHttpFunction
{
    /// <summary>Handles one request. Throw <see cref="Mlops.Core.Errors.MlopsException"/> for client errors: it becomes RFC 7807 problem details.</summary>
    Task<HttpResponseData> RunAsync(HttpRequestData request, FunctionContext context);
}

/// <summary>The value of a blob trigger.</summary>
/// <param name="Content">The blob's bytes (the host sends them base64-encoded, spec §9a).</param>
/// <param name="Uri">The blob's URI.</param>
/// <param name="PathTokens">Values of the tokens in the trigger's path pattern, e.g. <c>project</c>, <c>name</c>.</param>
/// <param name="ETag">The blob version that fired, when the host reports its properties.</param>
public sealed record BlobInvocation(byte[] Content, string? Uri, IReadOnlyDictionary<string, string> PathTokens, string? ETag);

/// <summary>A blob-triggered function. Throwing fails the invocation, and the host retries (then poisons) the blob.</summary>
public interface IBlobFunction
{
    /// <summary>Handles one new or changed blob.</summary>
    Task RunAsync(BlobInvocation blob, FunctionContext context);
}

/// <summary>The value of a timer trigger (spec §2.2).</summary>
/// <param name="IsPastDue">True when the firing is late (the host was down at the scheduled time).</param>
public sealed record TimerInvocation(bool IsPastDue);

/// <summary>A timer-triggered function.</summary>
public interface ITimerFunction
{
    /// <summary>Handles one firing.</summary>
    Task RunAsync(TimerInvocation timer, FunctionContext context);
}
