using System.Text.Json;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Middleware;
using Microsoft.Extensions.Logging;

namespace Mlops.WorkerHost.Durable;

/// <summary>
/// DTFx activity dispatcher middleware: runs the activity function in the worker and turns its result into a
/// <c>TaskCompletedEvent</c> or <c>TaskFailedEvent</c>. Built-in activities (<c>BuiltIn::…</c>) go on to DTFx.
/// </summary>
internal sealed partial class ActivityMiddleware(IDurableFunctionInvoker invoker, ILogger logger, CancellationToken stopping)
{
    private const string BuiltInPrefix = "BuiltIn::";

    public async Task InvokeAsync(DispatchMiddlewareContext context, Func<Task> next)
    {
        var scheduled = context.GetProperty<TaskScheduledEvent>();
        var instance = context.GetProperty<OrchestrationInstance>();
        var name = scheduled.Name ?? "";
        if (name.StartsWith(BuiltInPrefix, StringComparison.Ordinal))
        {
            await next().ConfigureAwait(false);
            return;
        }

        HistoryEvent response;
        if (!invoker.IsActivity(name))
        {
            var message = $"The function '{name}' doesn't exist, is disabled, or is not an activity function.";
            response = new TaskFailedEvent(-1, scheduled.EventId, message, null, new FailureDetails("(unknown)", message, null, null, isNonRetriable: true));
        }
        else
        {
            try
            {
                var result = await invoker.InvokeActivityAsync(name, instance.InstanceId, UnwrapInput(scheduled.Input), stopping).ConfigureAwait(false);
                response = new TaskCompletedEvent(-1, scheduled.EventId, result);
            }
            catch (DurableFunctionException ex)
            {
                response = new TaskFailedEvent(-1, scheduled.EventId, $"Function '{name}' failed with an unhandled exception.", null, FailureMessageParser.Parse(ex.Message));
            }
            catch (Exception ex) when (ex is not SessionAbortedException)
            {
                // Not the function's failure: the worker is gone or the host stops. Abandon so DTFx delivers it again.
                LogAborted(logger, ex, name, instance.InstanceId);
                throw new SessionAbortedException($"Activity '{name}' ({instance.InstanceId}) was not run to completion: {ex.Message}", ex);
            }
        }

        context.SetProperty(new ActivityExecutionResult { ResponseEvent = response });
    }

    /// <summary>DTFx stores an activity's input as a one-element JSON array; the worker wants the element.</summary>
    internal static string? UnwrapInput(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(input);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            return root.GetRawText();
        }

        if (root.GetArrayLength() == 0)
        {
            return null;
        }

        var first = root[0];
        return first.ValueKind == JsonValueKind.Null ? null : first.GetRawText();
    }

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Activity '{Name}' of {InstanceId} could not be run; the work item is abandoned for a retry")]
    private static partial void LogAborted(ILogger logger, Exception exception, string name, string instanceId);
}
