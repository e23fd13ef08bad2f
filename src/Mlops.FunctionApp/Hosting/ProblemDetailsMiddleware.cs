using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using Mlops.Core.Errors;

namespace Mlops.FunctionApp.Hosting;

/// <summary>
/// Maps what an HTTP function throws to RFC 7807 problem details, in one place: a domain error to its status from
/// <see cref="ProblemDocument"/>'s table, anything else to a 500 that says nothing about the internals (it is logged).
/// Other triggers keep their exceptions, so the host retries or poisons as it should.
/// </summary>
internal sealed partial class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsHttp(context) && ex is not OperationCanceledException)
        {
            var http = context.GetHttpContext();
            var instance = http?.Request.Path.Value;
            ProblemDocument problem;
            if (Unwrap(ex) is MlopsException domain)
            {
                problem = ProblemDocument.From(domain, instance);
            }
            else if (Unwrap(ex) is Microsoft.AspNetCore.Http.BadHttpRequestException bad)
            {
                // Kestrel's own limits (body size, timeouts) while the function read the request: the client's fault.
                problem = ProblemDocument.Create(bad.StatusCode, bad.StatusCode == 413 ? "Payload too large" : "Bad request",
                    bad.StatusCode == 413 ? $"{bad.Message} Upload large datasets to the blob container incoming/{{project}}/ instead." : bad.Message, instance);
            }
            else
            {
                LogUnhandled(logger, ex, context.FunctionDefinition.Name);
                problem = ProblemDocument.Create(500, "Internal error", $"The function failed; see the logs of invocation {context.InvocationId}.", instance);
            }

            context.GetInvocationResult().Value = new JsonResult(problem, ApiJson.Options)
            {
                StatusCode = problem.Status,
                ContentType = ProblemDocument.MediaType,
            };
        }
    }

    private static bool IsHttp(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    // The worker wraps what a function throws when it runs through its invoker; the domain error is inside.
    private static Exception Unwrap(Exception ex) => ex is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0])
        : ex.InnerException is MlopsException or Microsoft.AspNetCore.Http.BadHttpRequestException ? ex.InnerException : ex;

    [LoggerMessage(EventId = 500, Level = LogLevel.Error, Message = "Function {FunctionName} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string functionName);
}
