using Azure.Storage.Blobs;
using Mlops.Testing;

namespace Mlops.WorkerHost.Tests;

internal static class TestSupport
{
    /// <summary>Host output: discarded, or appended to the file named by WORKERHOST_TEST_LOG when debugging.</summary>
    public static readonly TextWriter Log = Environment.GetEnvironmentVariable("WORKERHOST_TEST_LOG") is { Length: > 0 } path
        ? TextWriter.Synchronized(new StreamWriter(path, append: true) { AutoFlush = true })
        : TextWriter.Null;

    /// <summary>The test app's build output: a script root (same configuration as this test assembly).</summary>
    public static string AppRoot
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepoPaths.Root, "tests", "Mlops.WorkerHost.TestApp", "bin", configuration, "net10.0");
            return File.Exists(Path.Combine(path, "worker.config.json")) ? path : throw new InvalidOperationException($"{path}: build Mlops.WorkerHost.TestApp first.");
        }
    }

    public static FunctionsHostOptions Options(string connectionString, string? hostId = null, bool enforceKeys = false, TextWriter? output = null) => new()
    {
        ScriptRoot = AppRoot,
        Port = 0,
        Environment = new Dictionary<string, string> { ["AzureWebJobsStorage"] = connectionString },
        BlobScanInterval = TimeSpan.FromMilliseconds(200),
        MaxQueuePollInterval = TimeSpan.FromMilliseconds(200),
        HostId = hostId ?? "tests-" + Guid.NewGuid().ToString("N")[..8],
        EnforceKeys = enforceKeys,
        Output = output ?? Log,
    };

    /// <summary>Polls a condition until it holds (no fixed sleeps): fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (value is not null && value is not false)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A blob's text, or null while it does not exist.</summary>
    public static async Task<string?> BlobTextAsync(string connectionString, string container, string name)
    {
        var blob = new BlobServiceClient(connectionString).GetBlobContainerClient(container).GetBlobClient(name);
        return await blob.ExistsAsync() ? (await blob.DownloadContentAsync()).Value.Content.ToString() : null;
    }

    /// <summary>Texts of all blobs under a prefix (empty while the container does not exist).</summary>
    public static async Task<List<string>> BlobTextsAsync(string connectionString, string container, string prefix)
    {
        var client = new BlobServiceClient(connectionString).GetBlobContainerClient(container);
        var result = new List<string>();
        if (!await client.ExistsAsync())
        {
            return result;
        }

        await foreach (var item in client.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
        {
            result.Add((await client.GetBlobClient(item.Name).DownloadContentAsync()).Value.Content.ToString());
        }

        return result;
    }
}

/// <summary>A real Azurite and one host running the test app, shared by a test class.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;

    public string ConnectionString => _azurite!.ConnectionString;

    public StringWriter Output { get; } = new();

    public RunningFunctionsHost Host { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartAsync();
        Host = await FunctionsHost.StartAsync(TestSupport.Options(ConnectionString, output: TextWriter.Synchronized(Output)));
        Http.BaseAddress = Host.BaseUri;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await _azurite!.DisposeAsync();
    }
}
