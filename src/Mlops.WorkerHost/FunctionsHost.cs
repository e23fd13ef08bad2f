namespace Mlops.WorkerHost;

/// <summary>
/// The local Functions host for .NET isolated workers: runs an app's build output like <c>func start</c> — the worker
/// process over the FunctionRpc protocol, HTTP (proxied to the worker), blob, queue and timer triggers, the admin API.
/// </summary>
public static class FunctionsHost
{
    /// <summary>Starts the host and returns once the worker has loaded its functions and every listener runs.</summary>
    public static async Task<RunningFunctionsHost> StartAsync(FunctionsHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = new RunningFunctionsHost(options);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
