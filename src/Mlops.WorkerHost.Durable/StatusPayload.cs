using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DurableTask.Core;

namespace Mlops.WorkerHost.Durable;

/// <summary>The JSON bodies of the management API: instance status, history and the check-status URLs.</summary>
internal static class StatusPayload
{
    private const string TimeFormat = "yyyy-MM-ddTHH:mm:ssZ";

    public static JsonObject From(OrchestrationState state, bool showInput) => new()
    {
        ["name"] = state.Name,
        ["instanceId"] = state.OrchestrationInstance.InstanceId,
        ["runtimeStatus"] = state.OrchestrationStatus.ToString(),
        ["input"] = showInput ? ParseLoose(state.Input) : null,
        ["customStatus"] = ParseLoose(state.Status),
        ["output"] = ParseLoose(state.Output),
        ["createdTime"] = Format(state.CreatedTime),
        ["lastUpdatedTime"] = Format(state.LastUpdatedTime),
    };

    /// <summary>The check-status URLs the worker's <c>CreateCheckStatusResponse</c> also builds.</summary>
    public static JsonObject CheckStatus(Uri hostBase, string instanceId, string? code)
    {
        var i = new Uri(hostBase, DurableEngine.ManagementBasePath.TrimStart('/')).ToString().TrimEnd('/') + "/instances/" + Uri.EscapeDataString(instanceId);
        var q = string.IsNullOrEmpty(code) ? "" : "code=" + Uri.EscapeDataString(code);
        string With(string url, string? reason = null) =>
            url + (reason is null ? (q.Length == 0 ? "" : "?" + q) : "?" + reason + (q.Length == 0 ? "" : "&" + q));
        return new JsonObject
        {
            ["id"] = instanceId,
            ["purgeHistoryDeleteUri"] = With(i),
            ["sendEventPostUri"] = With(i + "/raiseEvent/{eventName}"),
            ["statusQueryGetUri"] = With(i),
            ["terminatePostUri"] = With(i + "/terminate", "reason={text}"),
            ["suspendPostUri"] = With(i + "/suspend", "reason={text}"),
            ["resumePostUri"] = With(i + "/resume", "reason={text}"),
        };
    }

    /// <summary>
    /// History as the extension shows it: DTFx's events with <c>EventType</c> as a name, orchestrator start/end
    /// markers and task-scheduled events folded away, completions given the scheduled name and time.
    /// </summary>
    public static JsonArray History(string historyJson, bool showOutput, bool showInput)
    {
        var result = new JsonArray();
        if (JsonNode.Parse(historyJson) is not JsonArray events)
        {
            return result;
        }

        var scheduled = new Dictionary<int, JsonObject>();
        foreach (var node in events)
        {
            if (node is not JsonObject e)
            {
                continue;
            }

            var type = EventTypeName(e["EventType"]);
            var item = new JsonObject { ["EventType"] = type, ["Timestamp"] = e["Timestamp"]?.DeepClone() };
            switch (type)
            {
                case "OrchestratorStarted" or "OrchestratorCompleted":
                    continue;
                case "TaskScheduled" or "SubOrchestrationInstanceCreated":
                    if (e["EventId"]?.GetValue<int>() is { } id)
                    {
                        scheduled[id] = e;
                    }

                    if (type == "TaskScheduled")
                    {
                        continue;
                    }

                    item["FunctionName"] = e["Name"]?.DeepClone();
                    item["InstanceId"] = e["InstanceId"]?.DeepClone();
                    break;
                case "ExecutionStarted":
                    item["FunctionName"] = e["Name"]?.DeepClone();
                    if (showInput)
                    {
                        item["Input"] = ParseLoose(e["Input"]?.GetValue<string>());
                    }

                    break;
                case "TaskCompleted" or "TaskFailed" or "SubOrchestrationInstanceCompleted" or "SubOrchestrationInstanceFailed":
                    if (e["TaskScheduledId"]?.GetValue<int>() is { } sid && scheduled.TryGetValue(sid, out var s))
                    {
                        item["FunctionName"] = s["Name"]?.DeepClone();
                        item["ScheduledTime"] = s["Timestamp"]?.DeepClone();
                    }

                    if (type.EndsWith("Failed", StringComparison.Ordinal))
                    {
                        item["Reason"] = e["Reason"]?.DeepClone();
                        item["Details"] = e["Details"]?.DeepClone();
                    }
                    else if (showOutput)
                    {
                        item["Result"] = ParseLoose(e["Result"]?.GetValue<string>());
                    }

                    break;
                case "ExecutionCompleted" or "ExecutionFailed" or "ContinueAsNew":
                    item["OrchestrationStatus"] = e["OrchestrationStatus"] is { } st ? StatusName(st) : null;
                    if (showOutput)
                    {
                        item["Result"] = ParseLoose(e["Result"]?.GetValue<string>());
                    }

                    break;
                case "TimerCreated" or "TimerFired":
                    item["FireAt"] = e["FireAt"]?.DeepClone();
                    break;
                case "EventRaised" or "EventSent":
                    item["Name"] = e["Name"]?.DeepClone();
                    if (showInput)
                    {
                        item["Input"] = ParseLoose(e["Input"]?.GetValue<string>());
                    }

                    break;
                case "ExecutionTerminated" or "ExecutionSuspended" or "ExecutionResumed":
                    item["Input"] = (e["Input"] ?? e["Reason"])?.DeepClone();
                    break;
            }

            result.Add(item);
        }

        return result;
    }

    private static string Format(DateTime time) =>
        (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string EventTypeName(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out int i) => ((DurableTask.Core.History.EventType)i).ToString(),
        JsonValue v when v.TryGetValue(out string? s) => s ?? "",
        _ => "",
    };

    private static string? StatusName(JsonNode node) => node switch
    {
        JsonValue v when v.TryGetValue(out int i) => ((OrchestrationStatus)i).ToString(),
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => null,
    };

    /// <summary>Stored payloads are JSON text; show them as JSON, or as a string when they are not JSON.</summary>
    private static JsonNode? ParseLoose(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
