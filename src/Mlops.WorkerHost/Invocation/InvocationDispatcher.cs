using System.Diagnostics;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Worker;

namespace Mlops.WorkerHost.Invocation;

/// <summary>
/// Runs invocations on the current worker, with the Core Tools console lines around each one. Every trigger listener,
/// the HTTP path and the Durable invoker go through here.
/// </summary>
internal sealed class InvocationDispatcher(WorkerSupervisor workers, HostConsole console, TimeSpan functionTimeout)
{
    /// <summary>
    /// Invokes <paramref name="invocation"/>. <paramref name="companion"/>, when given, starts right before the request is
    /// sent, with the worker's HTTP address (the proxied HTTP request of spec §5.1 A); its failure fails the invocation.
    /// Throws <see cref="WorkerUnavailableException"/> when the worker died before answering.
    /// </summary>
    public async Task<InvocationResult> InvokeAsync(
        FunctionInvocation invocation, string reason, CancellationToken cancellationToken, Func<Uri?, Task?>? companion = null)
    {
        var name = invocation.Function.Name;
        console.Executing(name, reason, invocation.InvocationId);
        var clock = Stopwatch.StartNew();
        InvocationResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(functionTimeout);
            var channel = await workers.ReadyAsync(timeout.Token).ConfigureAwait(false);
            var side = companion?.Invoke(channel.HttpUri);
            result = await channel.InvokeAsync(invocation, timeout.Token).ConfigureAwait(false);
            if (side is not null)
            {
                try
                {
                    await side.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    result = InvocationResult.Failed($"Result: Failure\nException: forwarding the HTTP request failed: {ex.Message}\nStack: ");
                }
            }
        }
        catch (Exception ex)
        {
            console.Executed(name, false, invocation.InvocationId, clock.Elapsed, ex.Message);
            throw;
        }

        console.Executed(name, result.Succeeded, invocation.InvocationId, clock.Elapsed, result.Failure);
        return result;
    }

    /// <summary>The current worker's HTTP address (null = classic RpcHttp path).</summary>
    public async Task<Uri?> CurrentHttpUriAsync(CancellationToken cancellationToken) =>
        (await workers.ReadyAsync(cancellationToken).ConfigureAwait(false)).HttpUri;

    /// <summary>The functions the current worker knows.</summary>
    public async Task<IReadOnlyList<FunctionDefinition>> FunctionsAsync(CancellationToken cancellationToken) =>
        (await workers.ReadyAsync(cancellationToken).ConfigureAwait(false)).Functions;
}
