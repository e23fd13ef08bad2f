using Mlops.WorkerHost;

// `func start` for isolated-worker apps: tools/func start [--script-root DIR] [--port 7071] [--verbose] [--enable-auth]
var options = CommandLine.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync("usage: func start --script-root DIR [--port 7071] [--verbose] [--enable-auth]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Let disposal send WorkerTerminate and wait for the worker instead of dying at once.
    e.Cancel = true;
    stop.Cancel();
};

// SIGTERM (e.g. from a test or a supervisor) stops as gracefully as Ctrl-C: WorkerTerminate, then the worker's exit.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

RunningFunctionsHost host;
try
{
    host = await FunctionsHost.StartAsync(options, stop.Token);
}
catch (Exception ex) when (StorageUnreachable(ex) is { } why)
{
    // The task hub and the trigger listeners live in AzureWebJobsStorage: without it nothing can run. Say so in one line
    // instead of the SDK's six retries' worth of stack traces.
    await Console.Error.WriteLineAsync(
        $"The host could not reach the storage account in AzureWebJobsStorage ({why}). Start Azurite " +
        "(npx azurite --inMemoryPersistence --skipApiVersionCheck, after tools/setup or npm ci) or set " +
        "AzureWebJobsStorage in local.settings.json or the environment to a reachable account, then run func start again.");
    return 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 130;
}

await using var started = host;
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C: dispose below stops the worker gracefully.
}

return 0;

// The innermost connection failure under a storage call's exception (the SDK wraps it in retries and aggregates), if any.
static string? StorageUnreachable(Exception ex) => ex switch
{
    AggregateException aggregate => aggregate.InnerExceptions.Select(StorageUnreachable).FirstOrDefault(why => why is not null),
    HttpRequestException http => http.Message,
    _ when ex.InnerException is { } inner => StorageUnreachable(inner),
    _ => null,
};
