using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mlops.Durable.Protocol;

namespace Mlops.Durable.Bench;

/// <summary>
/// One orchestration episode over a history of about 1,000 events (a 250-step activity chain replayed
/// in full, then the last completion), next to the cost of decoding the same request alone.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ReplayBenchmarks
{
    private const int Steps = 250;
    private DurableFunctionRegistry registry = null!;
    private string encodedRequest = null!;
    private OrchestratorRequest request = null!;

    public int HistoryEvents => this.request.PastEvents.Count + this.request.NewEvents.Count;

    [GlobalSetup]
    public void Setup()
    {
        this.registry = new DurableFunctionRegistry().AddOrchestrator<int, int>("Chain", async (context, start) =>
        {
            int value = start;
            for (int i = 0; i < Steps; i++)
            {
                value = await context.CallActivityAsync<int>("Increment", value);
            }

            return value;
        });
        this.request = BuildChainRequest();
        this.encodedRequest = Convert.ToBase64String(this.request.ToByteArray());

        // Sanity: the episode must complete the orchestration, or the benchmark measures the wrong thing.
        OrchestratorResponse response = OrchestrationRunner.Run(this.request, this.registry);
        if (response.Actions.Count != 1 || response.Actions[0].CompleteOrchestration?.Result != Steps.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("The benchmark history does not replay to completion: " + response);
        }
    }

    [Benchmark(Baseline = true, Description = "Decode request only (base64 + protobuf)")]
    public OrchestratorRequest DecodeOnly() => OrchestrationRunner.DecodeRequest(this.encodedRequest);

    [Benchmark(Description = "Full episode: decode + replay + encode")]
    public string LoadAndRun() => OrchestrationRunner.LoadAndRun(this.encodedRequest, this.registry);

    [Benchmark(Description = "Replay only (protobuf objects in and out)")]
    public OrchestratorResponse ReplayOnly() => OrchestrationRunner.Run(this.request, this.registry);

    internal static OrchestratorRequest BuildChainRequest()
    {
        var t0 = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var request = new OrchestratorRequest { InstanceId = "bench" };
        Timestamp Ts(int second) => Timestamp.FromDateTime(t0.AddSeconds(second));
        request.PastEvents.Add(new HistoryEvent { EventId = -1, Timestamp = Ts(0), OrchestratorStarted = new() });
        request.PastEvents.Add(new HistoryEvent
        {
            EventId = -1,
            Timestamp = Ts(0),
            ExecutionStarted = new ExecutionStartedEvent { Name = "Chain", Input = "0", OrchestrationInstance = new OrchestrationInstance { InstanceId = "bench", ExecutionId = "e1" } },
        });
        for (int i = 0; i < Steps; i++)
        {
            request.PastEvents.Add(new HistoryEvent { EventId = i, Timestamp = Ts(i), TaskScheduled = new TaskScheduledEvent { Name = "Increment" } });
            request.PastEvents.Add(new HistoryEvent { EventId = -1, Timestamp = Ts(i), OrchestratorCompleted = new() });
            var target = i == Steps - 1 ? request.NewEvents : request.PastEvents;
            target.Add(new HistoryEvent { EventId = -1, Timestamp = Ts(i + 1), OrchestratorStarted = new() });
            target.Add(new HistoryEvent { EventId = -1, Timestamp = Ts(i + 1), TaskCompleted = new TaskCompletedEvent { TaskScheduledId = i, Result = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        }

        return request;
    }
}
