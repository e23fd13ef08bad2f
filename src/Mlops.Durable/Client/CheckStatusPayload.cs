using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mlops.Durable.Client;

/// <summary>
/// The management URLs of one instance, the body of the HTTP 202 an orchestration starter returns
/// (spec §6.2 "check-status response"). Send it with <c>Location: StatusQueryGetUri</c> and <c>Retry-After: 10</c>.
/// </summary>
public sealed record CheckStatusPayload(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string PurgeHistoryDeleteUri,
    string RestartPostUri,
    string SuspendPostUri,
    string ResumePostUri)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON body with the 8 properties in the extension's order (id, statusQueryGetUri, sendEventPostUri, terminatePostUri, purgeHistoryDeleteUri, restartPostUri, suspendPostUri, resumePostUri).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", this.Id);
            writer.WriteString("statusQueryGetUri", this.StatusQueryGetUri);
            writer.WriteString("sendEventPostUri", this.SendEventPostUri);
            writer.WriteString("terminatePostUri", this.TerminatePostUri);
            writer.WriteString("purgeHistoryDeleteUri", this.PurgeHistoryDeleteUri);
            writer.WriteString("restartPostUri", this.RestartPostUri);
            writer.WriteString("suspendPostUri", this.SuspendPostUri);
            writer.WriteString("resumePostUri", this.ResumePostUri);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
