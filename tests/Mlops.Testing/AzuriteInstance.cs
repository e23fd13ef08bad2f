using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mlops.Testing;

/// <summary>
/// A real Azurite (from the repository's node_modules) on free ports, in memory, owned by the test run.
/// Start one per test class or collection with <see cref="StartAsync"/>; dispose to stop it.
/// </summary>
public sealed partial class AzuriteInstance : IAsyncDisposable
{
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;

    private AzuriteInstance(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; }

    /// <summary>A connection string for all three services, usable by the Azure SDK clients and as AzureWebJobsStorage.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    [GeneratedRegex(@"Azurite (Blob|Queue|Table) service is successfully listening at http://[^:]+:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Starts Azurite and waits until all three services listen.</summary>
    public static async Task<AzuriteInstance> StartAsync(CancellationToken cancellationToken = default)
    {
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"{script} is missing: run 'npm ci' at the repository root.");
        }

        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     script, "--inMemoryPersistence", "--blobPort", "0", "--queuePort", "0", "--tablePort", "0",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        var ports = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("Azurite exited before it was ready:\n" + output));
                return;
            }

            lock (ports)
            {
                output.AppendLine(e.Data);
                var m = ListeningLine().Match(e.Data);
                if (m.Success)
                {
                    ports[m.Groups[1].Value] = int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (ports.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (ports)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            TryKill(process);
            throw;
        }

        return new AzuriteInstance(process, ports["Blob"], ports["Queue"], ports["Table"]);
    }

    /// <summary>Stops Azurite (and with it every stored byte).</summary>
    public async ValueTask DisposeAsync()
    {
        TryKill(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

/// <summary>xUnit fixture: one Azurite per test class (<c>IClassFixture&lt;AzuriteFixture&gt;</c>) or collection.</summary>
public sealed class AzuriteFixture : Xunit.IAsyncLifetime
{
    private AzuriteInstance? _instance;

    /// <summary>The running instance.</summary>
    public AzuriteInstance Azurite => _instance ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>Shortcut to the connection string.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync() => _instance = await AzuriteInstance.StartAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync().ConfigureAwait(false);
        }
    }
}
