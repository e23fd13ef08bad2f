using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Mlops.WorkerHost.Http;

/// <summary>
/// Forwards an HTTP request verbatim to the worker's own Kestrel (ASP.NET Core integration) with YARP, as the real host
/// does: same path and query, the invocation id header, and X-Forwarded-* so the worker builds public URLs (spec §5.1 A).
/// </summary>
internal sealed class WorkerHttpForwarder(IHttpForwarder forwarder) : IDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>How long a refused connect to a starting worker is retried.</summary>
    private static readonly TimeSpan WorkerStartGrace = TimeSpan.FromSeconds(30);

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        EnableMultipleHttp2Connections = true,
    });

    private readonly ForwarderRequestConfig _config = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    /// <summary>Forwards and completes when the worker's response has been relayed to the client.</summary>
    public async Task ForwardAsync(HttpContext context, Uri workerUri, string invocationId)
    {
        // The worker announces its HTTP address before its Kestrel listens (and, on a loaded machine, seconds before), and
        // its port was picked by binding port 0 and releasing it: retry a refused connect of a bodiless request for a while.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var error = await forwarder.SendAsync(context, workerUri.GetLeftPart(UriPartial.Authority), _client, _config, new Transformer(invocationId)).ConfigureAwait(false);
            if (error == ForwarderError.None)
            {
                return;
            }

            var retryable = error == ForwarderError.Request && !context.Response.HasStarted && (context.Request.ContentLength is null or 0)
                            && System.Diagnostics.Stopwatch.GetElapsedTime(started) < WorkerStartGrace;
            if (!retryable)
            {
                var failure = context.Features.Get<IForwarderErrorFeature>()?.Exception;
                throw new HttpRequestException($"forwarding to the worker failed ({error}): {failure?.Message}", failure);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 + (20 * attempt), 500))).ConfigureAwait(false);
        }
    }

    public void Dispose() => _client.Dispose();

    private sealed class Transformer(string invocationId) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            var headers = proxyRequest.Headers;
            headers.Remove(InvocationIdHeader);
            headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);

            // Where the client reached us: the worker's CreateCheckStatusResponse builds its URLs from these.
            headers.Remove("X-Forwarded-Host");
            headers.Remove("X-Forwarded-Proto");
            headers.Remove("X-Forwarded-For");
            headers.TryAddWithoutValidation("X-Forwarded-Host", httpContext.Request.Host.Value);
            headers.TryAddWithoutValidation("X-Forwarded-Proto", httpContext.Request.Scheme);
            if (httpContext.Connection.RemoteIpAddress is { } remote)
            {
                headers.TryAddWithoutValidation("X-Forwarded-For", remote.ToString());
            }
        }
    }
}
