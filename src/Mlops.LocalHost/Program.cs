using System.Globalization;
using Mlops.LocalHost;

// `dotnet Mlops.LocalHost.dll start --script-root DIR [--port 7071] [--verbose] [--enableAuth]`
if (args.Length == 0 || args[0] != "start")
{
    Console.Error.WriteLine("usage: func start --script-root DIR [--port 7071] [--verbose] [--enableAuth]");
    return 2;
}

string scriptRoot = Directory.GetCurrentDirectory();
var port = 7071;
var verbose = false;
var enableAuth = false;
var lease = TimeSpan.FromSeconds(30);
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--script-root":
            scriptRoot = args[++i];
            break;
        case "--port" or "-p":
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--verbose":
            verbose = true;
            break;
        case "--message-lease-seconds":
            lease = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
            break;
        case "--enableAuth":
            enableAuth = true;
            break;
        default:
            Console.Error.WriteLine($"unknown option '{args[i]}'");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
// SIGTERM (docker stop, kill): stop listeners and the handler before exiting; the web host's own handler alone would not.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

RunningFunctionsHost host;
try
{
    host = await FunctionsHost.StartAsync(new FunctionsHostOptions
    {
        ScriptRoot = scriptRoot,
        Port = port,
        Verbose = verbose,
        EnforceKeys = enableAuth,
        MessageLease = lease,
    }, stop.Token);
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

await using (host)
{
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}

return 0;
