using System.Text.Json;
using Google.Protobuf;
using Mlops.Durable.Protocol;
using Mlops.Durable.Worker;

namespace Mlops.Durable;

/// <summary>
/// The pure replay engine: one orchestration episode, history in, actions out (spec §5). No I/O, no wall
/// clock, no randomness, no threads: the same request always gives the same response.
/// </summary>
public static class OrchestrationRunner
{
    /// <summary>
    /// Runs one episode from the base64 of a serialised <c>OrchestratorRequest</c> (already JSON-decoded, see
    /// <see cref="CustomHandlerPayload.ReadOrchestratorRequest"/>) and returns the base64 of the <c>OrchestratorResponse</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not base64 of a valid request.</exception>
    public static string LoadAndRun(string encodedOrchestratorRequest, DurableFunctionRegistry registry) =>
        EncodeResponse(Run(DecodeRequest(encodedOrchestratorRequest), registry));

    /// <summary>Runs one episode of a single orchestrator (whatever name the history gives) from base64 to base64.</summary>
    public static string LoadAndRun<TInput, TOutput>(string encodedOrchestratorRequest, Func<TaskOrchestrationContext, TInput, Task<TOutput>> orchestrator, JsonSerializerOptions? serializerOptions = null) =>
        EncodeResponse(Run(DecodeRequest(encodedOrchestratorRequest), orchestrator, serializerOptions));

    /// <summary>Runs one episode on protobuf objects, with the orchestrator looked up in <paramref name="registry"/> by the history's name.</summary>
    public static OrchestratorResponse Run(OrchestratorRequest request, DurableFunctionRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(registry);
        return new OrchestrationExecutor(request, registry.FindOrchestrator, registry.SerializerOptions, registry.LoggerFactory).Execute();
    }

    /// <summary>Runs one episode of a single orchestrator on protobuf objects.</summary>
    public static OrchestratorResponse Run<TInput, TOutput>(OrchestratorRequest request, Func<TaskOrchestrationContext, TInput, Task<TOutput>> orchestrator, JsonSerializerOptions? serializerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(orchestrator);
        var registry = new DurableFunctionRegistry(serializerOptions);
        string name = request.PastEvents.Concat(request.NewEvents).FirstOrDefault(e => e.ExecutionStarted is not null)?.ExecutionStarted.Name ?? "orchestrator";
        registry.AddOrchestrator(string.IsNullOrEmpty(name) ? "orchestrator" : name, orchestrator);
        return Run(request, registry);
    }

    /// <summary>Decodes base64 (standard alphabet, padded) into an <c>OrchestratorRequest</c>.</summary>
    /// <exception cref="ArgumentException">Not base64, or not a valid protobuf message.</exception>
    public static OrchestratorRequest DecodeRequest(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        try
        {
            return OrchestratorRequest.Parser.ParseFrom(Convert.FromBase64String(base64.Trim()));
        }
        catch (Exception error) when (error is FormatException or InvalidProtocolBufferException)
        {
            throw new ArgumentException($"The orchestrator trigger value is not the base64 of an OrchestratorRequest: {error.Message}", nameof(base64), error);
        }
    }

    /// <summary>Encodes an <c>OrchestratorResponse</c> as base64 (standard alphabet, padded).</summary>
    public static string EncodeResponse(OrchestratorResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Convert.ToBase64String(response.ToByteArray());
    }
}
