using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mlops.Durable;

/// <summary>
/// Reads and writes the custom-handler invocation bodies of Durable functions (spec §2.1, §3.2, §3.3, §6.1).
/// The host JSON-encodes every string value once more than you would expect; these helpers undo exactly
/// that level, and also accept a value that is one level less encoded (tolerance for emulators).
/// </summary>
public static class CustomHandlerPayload
{
    // Base64 holds '+' and '/': keep them readable instead of \u002B escapes (the body is never HTML).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The base64 <c>OrchestratorRequest</c> of an <c>orchestrationTrigger</c> invocation:
    /// <c>Data.&lt;bindingName&gt;</c> JSON-decoded once (§3.2).
    /// </summary>
    /// <exception cref="ArgumentException">The body has no such string value.</exception>
    public static string ReadOrchestratorRequest(JsonElement body, string bindingName)
    {
        JsonElement value = GetData(body, bindingName)
            ?? throw new ArgumentException($"The invocation body has no Data.{bindingName} value: an orchestrationTrigger named '{bindingName}' must be declared.", nameof(bindingName));
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException($"Data.{bindingName} must be a string holding the JSON-quoted base64 of an OrchestratorRequest, not {value.ValueKind}.", nameof(body));
        }

        return DecodeOnce(value.GetString()!) ?? throw new ArgumentException($"Data.{bindingName} is JSON null, not an OrchestratorRequest.", nameof(body));
    }

    /// <summary>
    /// The raw input JSON text of an <c>activityTrigger</c> invocation (the exact <c>ScheduleTaskAction.input</c>),
    /// or null when the activity was scheduled without input (§3.3).
    /// </summary>
    /// <exception cref="ArgumentException">The body has no Data object.</exception>
    public static string? ReadActivityInput(JsonElement body, string bindingName)
    {
        JsonElement? value = GetData(body, bindingName);
        return value switch
        {
            null => null,
            { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.String } text => DecodeOnce(text.GetString()!),
            { } other => other.GetRawText(), // an object or number the host did not quote: already the raw JSON
        };
    }

    /// <summary>The JSON text of a <c>durableClient</c> input binding (§6.1): <c>Data.&lt;bindingName&gt;</c> decoded once.</summary>
    /// <exception cref="ArgumentException">The body has no such value.</exception>
    public static string ReadDurableClientPayload(JsonElement body, string bindingName)
    {
        JsonElement value = GetData(body, bindingName)
            ?? throw new ArgumentException($"The invocation body has no Data.{bindingName} value: a durableClient binding named '{bindingName}' must be declared.", nameof(bindingName));
        return value.ValueKind == JsonValueKind.String
            ? DecodeOnce(value.GetString()!) ?? throw new ArgumentException($"Data.{bindingName} is JSON null.", nameof(body))
            : value.GetRawText();
    }

    /// <summary>The orchestration instance ID of an activity invocation (<c>Metadata.instanceId</c>, decoded once), or null.</summary>
    public static string? ReadInstanceId(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !TryGetProperty(body, "Metadata", out JsonElement metadata)
            || metadata.ValueKind != JsonValueKind.Object
            || !TryGetProperty(metadata, "instanceId", out JsonElement id)
            || id.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return DecodeOnce(id.GetString()!);
    }

    /// <summary>The orchestrator response body <c>{"ReturnValue":"&lt;base64&gt;"}</c> (a single-encoded string, §3.2).</summary>
    public static string CreateOrchestratorResponseBody(string encodedOrchestratorResponse)
    {
        ArgumentNullException.ThrowIfNull(encodedOrchestratorResponse);
        return Write(writer => writer.WriteString("ReturnValue", encodedOrchestratorResponse));
    }

    /// <summary>
    /// The activity response body <c>{"ReturnValue":&lt;value&gt;}</c>: the result JSON itself, not a string of it (§3.3).
    /// Null <paramref name="resultJson"/> writes <c>null</c> (no result).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="resultJson"/> is not valid JSON.</exception>
    public static string CreateActivityResponseBody(string? resultJson)
    {
        try
        {
            return Write(writer =>
            {
                writer.WritePropertyName("ReturnValue");
                if (resultJson is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteRawValue(resultJson);
                }
            });
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"The activity result is not valid JSON: {error.Message}", nameof(resultJson), error);
        }
    }

    /// <summary>Undoes one level of JSON string encoding; a text that is not a JSON string is returned as it is (already decoded).</summary>
    internal static string? DecodeOnce(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind switch
            {
                JsonValueKind.String => document.RootElement.GetString(),
                JsonValueKind.Null => null,
                _ => text,
            };
        }
        catch (JsonException)
        {
            return text; // e.g. bare base64 from an emulator that did not quote it
        }
    }

    private static JsonElement? GetData(JsonElement body, string bindingName)
    {
        ArgumentException.ThrowIfNullOrEmpty(bindingName);
        if (body.ValueKind != JsonValueKind.Object || !TryGetProperty(body, "Data", out JsonElement data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The invocation body must be an object with a 'Data' object (custom handler protocol, §2.1).", nameof(body));
        }

        return TryGetProperty(data, bindingName, out JsonElement value) ? value : null;
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    private static string Write(Action<Utf8JsonWriter> writeProperties)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
