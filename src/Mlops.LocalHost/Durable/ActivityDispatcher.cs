using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Mlops.Durable.Protocol;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Durable;

/// <summary>
/// Runs activity work items (spec §3.3): the input goes to the handler as raw JSON text (encoded three times on the wire),
/// the JSON <c>ReturnValue</c> comes back as <c>taskCompleted.result</c>, and a non-2xx answer becomes <c>taskFailed</c>
/// with the host's generic failure details (spec §9a). The work item is deleted only after the result is on the control queue.
/// </summary>
internal sealed partial class ActivityDispatcher(DurableContext ctx)
{
    public async Task OnWorkItemAsync(LeasedMessage leased, CancellationToken cancellationToken)
    {
        TaskMessage message;
        try
        {
            message = await ctx.Codec.ReadAsync(leased.Message.Body.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidProtocolBufferException or InvalidOperationException or NullReferenceException)
        {
            ctx.Console.Line($"Discarding an unreadable work item {leased.Message.MessageId}: {ex.Message}");
            await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var scheduledId = message.Event.EventId;
        var task = message.Event.TaskScheduled;
        var outcome = DurableEvents.New();
        var function = ctx.Activity(task.Name);
        if (function is null)
        {
            outcome.TaskFailed = new TaskFailedEvent
            {
                TaskScheduledId = scheduledId,
                FailureDetails = new TaskFailureDetails
                {
                    ErrorType = "System.InvalidOperationException",
                    ErrorMessage = $"The function '{task.Name}' doesn't exist, is disabled, or is not an activity function.",
                },
            };
        }
        else
        {
            var (data, metadata) = BuildPayload(function.Trigger!.Name, function.Name, message.InstanceId, task.Input);
            InvocationResult result;
            try
            {
                result = await ctx.Invoker.InvokeAsync(function.Name, data, metadata, "(null)", cancellationToken).ConfigureAwait(false);
            }
            catch (HandlerUnavailableException)
            {
                // The handler died mid-call: run the activity again once it is back (at-least-once).
                await leased.ReleaseAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (result.Succeeded)
            {
                outcome.TaskCompleted = new TaskCompletedEvent
                {
                    TaskScheduledId = scheduledId,
                    Result = result.ReturnValue is null ? null : ReserializeResult(result.ReturnValue),
                };
            }
            else
            {
                outcome.TaskFailed = new TaskFailedEvent { TaskScheduledId = scheduledId, FailureDetails = FailureDetails(function.Name, result) };
            }
        }

        await ctx.SendAsync(ctx.Hub.ControlQueueFor(message.InstanceId),
            new TaskMessage { Event = outcome, InstanceId = message.InstanceId, ExecutionId = message.ExecutionId, Episode = message.Episode },
            null, cancellationToken).ConfigureAwait(false);
        await leased.DeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The activity request (spec §3.3): <c>Data.{name}</c> is the raw input text JSON-quoted once more; Metadata has instanceId, the input again, and <c>data</c>.</summary>
    internal static (JsonObject Data, JsonObject Metadata) BuildPayload(string triggerName, string functionName, string instanceId, string? input)
    {
        // rawInput mode: the host re-serialises the input compactly.
        string? raw = input;
        JsonNode? parsed = null;
        if (input is not null)
        {
            try
            {
                parsed = JsonNode.Parse(input);
                raw = PayloadEncoding.Text(parsed);
            }
            catch (JsonException)
            {
                raw = input;
            }
        }

        var encoded = raw is null ? JsonValue.Create("null") : PayloadEncoding.EncodeString(raw);
        var data = new JsonObject { [triggerName] = encoded.DeepClone() };
        var metadata = new JsonObject
        {
            ["instanceId"] = PayloadEncoding.EncodeString(instanceId),
            [triggerName] = encoded.DeepClone(),
        };
        if (raw is not null && raw != "null")
        {
            metadata["data"] = parsed is JsonObject o ? o.DeepClone() : JsonValue.Create(raw);
        }

        PayloadEncoding.ApplyObjectProperties(raw, metadata);
        metadata["sys"] = PayloadEncoding.Sys(functionName);
        return (data, metadata);
    }

    /// <summary>
    /// The host turns the JSON ReturnValue into <c>taskCompleted.result</c> through Json.NET, whose default date handling
    /// re-parses date-like strings and writes them back in its own ISO form (spec §9a): reproduced here.
    /// </summary>
    internal static string ReserializeResult(JsonNode value) => PayloadEncoding.Text(NormalizeDates(value.DeepClone()));

    private static JsonNode NormalizeDates(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (o[key] is { } child && NormalizeDates(child) is var updated && !ReferenceEquals(updated, child))
                    {
                        o[key] = updated;
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } child && NormalizeDates(child) is var updated && !ReferenceEquals(updated, child))
                    {
                        a[i] = updated;
                    }
                }

                return a;
            case JsonValue v when v.TryGetValue(out string? s) && IsoDateLike().IsMatch(s):
                return JsonValue.Create(JsonNetDate(s));
            default:
                return node;
        }
    }

    private static string JsonNetDate(string s)
    {
        if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return s;
        }

        if (s.EndsWith('Z') || s.EndsWith('z'))
        {
            return parsed.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);
        }

        if (IsoOffset().IsMatch(s))
        {
            // Parsed as a local DateTime (the Functions host runs in UTC) and written back with the local offset.
            return parsed.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF+00:00", CultureInfo.InvariantCulture);
        }

        return parsed.DateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
    }

    /// <summary>The generic failure the real host reports for any non-2xx activity answer (spec §9a).</summary>
    internal static TaskFailureDetails FailureDetails(string functionName, InvocationResult result) => new()
    {
        ErrorType = "Microsoft.Azure.WebJobs.Host.FunctionInvocationException",
        ErrorMessage = $"Exception while executing function: Functions.{functionName}",
        InnerFailure = new TaskFailureDetails
        {
            ErrorType = result.StatusCode is >= 300 or < 200 ? "System.Net.Http.HttpRequestException" : "System.InvalidOperationException",
            ErrorMessage = result.Error ?? "The handler's response could not be processed.",
        },
        IsNonRetriable = false,
    };

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})?$")]
    private static partial Regex IsoDateLike();

    [GeneratedRegex(@"[+-]\d{2}:\d{2}$")]
    private static partial Regex IsoOffset();
}
