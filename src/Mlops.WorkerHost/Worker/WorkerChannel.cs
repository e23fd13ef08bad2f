using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;
using Mlops.WorkerHost.Rpc;

namespace Mlops.WorkerHost.Worker;

/// <summary>
/// One worker process and its EventStream (the real host's GrpcWorkerChannel): handshake, indexing, loading, invocations,
/// logs. Requests are correlated by request id, invocations by invocation id; everything pending fails when the stream ends.
/// </summary>
internal sealed class WorkerChannel : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);
    private readonly ScriptRoot _root;
    private readonly HostConsole _console;
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new() { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _requests = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new();
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, string> _functionIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _loadFailures = new(StringComparer.OrdinalIgnoreCase);
    private WorkerProcess? _process;

    public WorkerChannel(ScriptRoot root, HostConsole console)
    {
        _root = root;
        _console = console;
    }

    public string WorkerId { get; } = Guid.NewGuid().ToString();

    /// <summary>Where the worker's own Kestrel listens (ASP.NET Core integration); null = classic RpcHttp.</summary>
    public Uri? HttpUri { get; private set; }

    public int? ProcessId => _process?.Id;

    /// <summary>Completes when the worker process or its stream is gone.</summary>
    public Task Ended => _ended.Task;

    public IReadOnlyList<FunctionDefinition> Functions { get; private set; } = [];

    /// <summary>Launches the worker and runs the handshake, indexing and loading (spec §4.7 steps 1-6).</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string> environment, Uri grpcUri, CancellationToken cancellationToken)
    {
        _process = WorkerProcess.Start(_root, environment, grpcUri, WorkerId, _console);
        _ = _process.Exited.ContinueWith(t => End($"worker process {_process.Id} exited with code {t.Result}"), TaskScheduler.Default);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupTimeout);
        await _attached.Task.WaitAsync(timeout.Token).ConfigureAwait(false);

        var init = await RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = "4.1037.0",
                WorkerDirectory = _root.Path,
                FunctionAppDirectory = _root.Path,
                Capabilities = { ["MultiStream"] = "10" },
            },
        }, timeout.Token).ConfigureAwait(false);
        var initResponse = init.WorkerInitResponse ?? throw new InvalidOperationException("worker answered WorkerInitRequest with something else.");
        EnsureSuccess(initResponse.Result, "worker init");
        if (initResponse.Capabilities.TryGetValue("HttpUri", out var httpUri) && !string.IsNullOrEmpty(httpUri))
        {
            HttpUri = new Uri(httpUri);
        }

        Functions = await IndexAsync(timeout.Token).ConfigureAwait(false);
        await LoadAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Sends one invocation and waits for its response; throws <see cref="WorkerUnavailableException"/> if the worker goes away.</summary>
    public async Task<InvocationResult> InvokeAsync(FunctionInvocation invocation, CancellationToken cancellationToken)
    {
        if (_loadFailures.TryGetValue(invocation.Function.Name, out var loadError))
        {
            return InvocationResult.Failed($"Result: Failure\nException: function '{invocation.Function.Name}' failed to load: {loadError}\nStack: ");
        }

        if (!_functionIds.TryGetValue(invocation.Function.Name, out var functionId))
        {
            return InvocationResult.Failed($"Result: Failure\nException: the worker has no function '{invocation.Function.Name}'.\nStack: ");
        }

        var request = new InvocationRequest
        {
            InvocationId = invocation.InvocationId,
            FunctionId = functionId,
            TraceContext = new RpcTraceContext { TraceParent = NewTraceParent(), TraceState = "" },
        };
        foreach (var (name, value) in invocation.Inputs)
        {
            request.InputData.Add(new ParameterBinding { Name = name, Data = TypedDataMapper.ToTypedData(value) });
        }

        foreach (var (key, value) in invocation.TriggerMetadata)
        {
            request.TriggerMetadata[key] = TypedDataMapper.ToTypedData(value);
        }

        if (invocation.Retry is { } retry)
        {
            request.RetryContext = new RetryContext { RetryCount = retry.Count, MaxRetryCount = retry.Max };
        }

        var pending = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[invocation.InvocationId] = pending;
        try
        {
            if (_ended.Task.IsCompleted)
            {
                throw new WorkerUnavailableException("the worker is not running.");
            }

            Send(new StreamingMessage { InvocationRequest = request });
            InvocationResponse response;
            try
            {
                // A registration, not Task.WaitAsync: WaitAsync allocates a promise and a continuation per call on the
                // HTTP hot path; the registration only completes the invocation's own source.
                using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<InvocationResponse>)state!).TrySetCanceled(token), pending))
                {
                    response = await pending.Task.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!_ended.Task.IsCompleted)
            {
                Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocation.InvocationId } });
                throw;
            }

            return ToResult(response);
        }
        finally
        {
            _invocations.TryRemove(invocation.InvocationId, out _);
        }
    }

    /// <summary>Runs the stream the worker opened (called by the gRPC service after StartStream) until it ends.</summary>
    public async Task RunStreamAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        var writer = Task.Run(async () =>
        {
            var reader = _outbound.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    // Buffered while more are queued, flushed with the last of a burst: under load one socket write
                    // carries many invocations instead of one each.
                    responses.WriteOptions = reader.TryPeek(out _) ? BufferedWrite : null;
                    await responses.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
        }, cancellationToken);
        _attached.TrySetResult();
        try
        {
            while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                OnMessage(requests.Current);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or Grpc.Core.RpcException or IOException)
        {
            // The worker or the host went away; End below fails what is pending.
        }
        finally
        {
            End("the worker's stream ended");
            _outbound.Writer.TryComplete();
        }

        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Grpc.Core.RpcException or IOException or InvalidOperationException)
        {
            // Writes after the stream closed: nothing to deliver them to.
        }
    }

    /// <summary>WorkerTerminate, then up to 5 s for the worker to exit, then kill (the real host's grace).</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_ended.Task.IsCompleted)
        {
            Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
        }

        await _process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <summary>Kills the worker without notice (a crash, for tests and for a hung worker).</summary>
    public void Kill() => _process?.Kill();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<FunctionDefinition>> IndexAsync(CancellationToken cancellationToken)
    {
        if (_root.Worker.WorkerIndexing)
        {
            var reply = await RequestAsync(new StreamingMessage
            {
                FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _root.Path },
            }, cancellationToken).ConfigureAwait(false);
            var metadata = reply.FunctionMetadataResponse ?? throw new InvalidOperationException("worker answered FunctionsMetadataRequest with something else.");
            if (!metadata.UseDefaultMetadataIndexing)
            {
                EnsureSuccess(metadata.Result, "worker indexing");
                var list = new List<FunctionDefinition>();
                foreach (var f in metadata.FunctionMetadataResults)
                {
                    var bindings = f.RawBindings.Select(raw => new BindingDefinition(JsonNode.Parse(raw)!.AsObject())).ToList();

                    // The worker's ids are the ones to load and invoke with (they may change on every read, spec §8.7).
                    _functionIds[f.Name] = string.IsNullOrEmpty(f.FunctionId) ? Guid.NewGuid().ToString() : f.FunctionId;
                    list.Add(new FunctionDefinition(f.Name, f.ScriptFile, f.EntryPoint, bindings) { Properties = f.Properties.ToDictionary() });
                    if (f.Status is { } status && status.Status == StatusResult.Types.Status.Failure && status.Exception is not null)
                    {
                        _loadFailures[f.Name] = status.Exception.Message;
                    }
                }

                return list;
            }
        }

        // Host indexing: functions.metadata, with ids of our own.
        var functions = _root.ReadFunctionsMetadata();
        foreach (var f in functions)
        {
            _functionIds[f.Name] = Guid.NewGuid().ToString();
        }

        return functions;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // One FunctionLoadRequest each: this worker ignores FunctionLoadRequestCollection (spec §8.6). Sent together, awaited together.
        var loads = Functions.Where(f => !_loadFailures.ContainsKey(f.Name)).Select(async f =>
        {
            var metadata = new RpcFunctionMetadata
            {
                Name = f.Name,
                FunctionId = _functionIds[f.Name],
                ScriptFile = f.ScriptFile,
                EntryPoint = f.EntryPoint,
                Directory = "",
                IsProxy = false,
                Language = _root.Worker.Language,
            };
            foreach (var (k, v) in f.Properties)
            {
                metadata.Properties[k] = v;
            }

            foreach (var b in f.Bindings)
            {
                metadata.Bindings[b.Name] = ToBindingInfo(b);
            }

            var reply = await RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = metadata.FunctionId, Metadata = metadata },
            }, cancellationToken).ConfigureAwait(false);
            var result = reply.FunctionLoadResponse?.Result;
            if (result is null || result.Status != StatusResult.Types.Status.Success)
            {
                var why = result?.Exception?.Message ?? "no load response";
                _loadFailures[f.Name] = why;
                _console.Line($"Function '{f.Name}' failed to load: {why}");
            }
        }).ToList();
        await Task.WhenAll(loads).ConfigureAwait(false);
    }

    private static BindingInfo ToBindingInfo(BindingDefinition b) => new()
    {
        Type = b.Type,
        Direction = b.Direction.ToLowerInvariant() switch
        {
            "out" => BindingInfo.Types.Direction.Out,
            "inout" => BindingInfo.Types.Direction.Inout,
            _ => BindingInfo.Types.Direction.In,
        },
        DataType = (b.DataType ?? "").ToLowerInvariant() switch
        {
            "string" => BindingInfo.Types.DataType.String,
            "binary" => BindingInfo.Types.DataType.Binary,
            "stream" => BindingInfo.Types.DataType.Stream,
            _ => BindingInfo.Types.DataType.Undefined,
        },
    };

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[message.RequestId] = pending;
        try
        {
            Send(message);
            return await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(message.RequestId, out _);
        }
    }

    private void Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    private void OnMessage(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                OnLog(message.RpcLog);
                return;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                return;
            case StreamingMessage.ContentOneofCase.None:
                // Replies to WorkerTerminate/InvocationCancel carry no content (spec §8.8).
                return;
            default:
                if (_requests.TryGetValue(message.RequestId, out var request))
                {
                    request.TrySetResult(message);
                }

                return;
        }
    }

    private void OnLog(RpcLog log)
    {
        // User logs at Information and above are shown like Core Tools does; everything else only with --verbose.
        var visible = log.LogCategory == RpcLog.Types.RpcLogCategory.User && log.Level >= RpcLog.Types.Level.Information;
        var text = log.Exception is { } ex && !string.IsNullOrEmpty(ex.Message) ? $"{log.Message} {ex.Message}" : log.Message;
        if (visible)
        {
            _console.Line(text);
        }
        else
        {
            _console.Debug($"[{log.Level}] {log.Category}: {text}");
        }
    }

    private void End(string why)
    {
        if (!_ended.TrySetResult())
        {
            return;
        }

        _attached.TrySetException(new WorkerUnavailableException(why));
        foreach (var (_, pending) in _requests)
        {
            pending.TrySetException(new WorkerUnavailableException(why));
        }

        foreach (var (_, pending) in _invocations)
        {
            pending.TrySetException(new WorkerUnavailableException(why));
        }

        _outbound.Writer.TryComplete();
    }

    private static InvocationResult ToResult(InvocationResponse response)
    {
        var outputs = response.OutputData.ToDictionary(p => p.Name, p => TypedDataMapper.FromTypedData(p.Data), StringComparer.OrdinalIgnoreCase);
        var result = response.Result;
        if (result is not null && result.Status == StatusResult.Types.Status.Success)
        {
            return new InvocationResult(true, outputs, TypedDataMapper.FromTypedData(response.ReturnValue), null);
        }

        // The real host's failure message shape; the Durable extension parses exactly this (spec §4.4, §6.3).
        var ex = result?.Exception;
        var failure = $"Result: {result?.Result ?? "Failure"}\nException: {ex?.Message}\nStack: {ex?.StackTrace}";
        return new InvocationResult(false, outputs, null, failure);
    }

    private static void EnsureSuccess(StatusResult? result, string what)
    {
        if (result is null || result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what} failed: {result?.Exception?.Message ?? "no status"}");
        }
    }

    private static string NewTraceParent() =>
        $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01";
}
