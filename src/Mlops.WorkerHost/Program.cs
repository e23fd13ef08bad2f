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

await using var host = await FunctionsHost.StartAsync(options, stop.Token);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C: dispose below stops the worker gracefully.
}

return 0;
