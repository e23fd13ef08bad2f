using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mlops.LocalHost.Handler;

/// <summary>
/// The host's value encoding for <c>Data</c> and <c>Metadata</c> (spec §2.1): bytes become base64, dates ISO strings,
/// JSON objects stay objects, and <b>everything else becomes its JSON text inside a string</b> (so strings are quoted once more).
/// </summary>
internal static class PayloadEncoding
{
    /// <summary>Json.NET escapes only what JSON requires; System.Text.Json's default would turn quotes into \u0022 inside the quoted text.</summary>
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON text as Json.NET writes it.</summary>
    public static string Text(JsonNode? node) => node?.ToJsonString(Relaxed) ?? "null";

    /// <summary>A JSON value as the host would place it: objects nested, anything else as its JSON text.</summary>
    public static JsonNode Encode(JsonNode? value) => value switch
    {
        JsonObject o => o.DeepClone(),
        null => JsonValue.Create("null"),
        _ => JsonValue.Create(Text(value)),
    };

    /// <summary>A CLR string as the host would place it: <c>hello</c> becomes <c>"\"hello\""</c>.</summary>
    public static JsonNode EncodeString(string value) => JsonValue.Create(JsonSerializer.Serialize(value, Relaxed));

    /// <summary>A number or other scalar: its JSON text as a string (<c>4</c> becomes <c>"4"</c>).</summary>
    public static JsonNode EncodeScalar(long value) => JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    public static JsonNode EncodeBytes(ReadOnlySpan<byte> value) => JsonValue.Create(Convert.ToBase64String(value));

    public static JsonNode EncodeDate(DateTimeOffset value) => JsonValue.Create(IsoDate(value));

    /// <summary>Json.NET's default ISO format for dates.</summary>
    public static string IsoDate(DateTimeOffset value) =>
        value.Offset == TimeSpan.Zero
            ? value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>The <c>sys</c> metadata entry (spec §2.1).</summary>
    public static JsonObject Sys(string functionName) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = IsoDate(DateTimeOffset.UtcNow),
        ["RandGuid"] = Guid.NewGuid().ToString(),
    };

    /// <summary>
    /// When a trigger value is text holding a JSON object, its top-level non-array properties are copied into Metadata
    /// (objects stay objects, others become strings and are then quoted again), possibly overwriting keys (spec §2.1, §8.12).
    /// </summary>
    public static void ApplyObjectProperties(string? triggerText, JsonObject metadata)
    {
        if (string.IsNullOrWhiteSpace(triggerText) || triggerText.TrimStart()[0] != '{')
        {
            return;
        }

        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(triggerText) as JsonObject;
        }
        catch (JsonException)
        {
            return;
        }

        if (parsed is null)
        {
            return;
        }

        foreach (var (key, value) in parsed)
        {
            switch (value)
            {
                case JsonArray:
                case null:
                    continue;
                case JsonObject o:
                    metadata[key] = o.DeepClone();
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    metadata[key] = EncodeString(v.GetValue<string>());
                    break;
                default:
                    // Json.NET turns the token into its string form (e.g. 5, true → "True"), which is then quoted.
                    metadata[key] = EncodeString(value.GetValueKind() switch
                    {
                        JsonValueKind.True => "True",
                        JsonValueKind.False => "False",
                        _ => Text(value),
                    });
                    break;
            }
        }
    }
}
