using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Mlops.Testing;

namespace Mlops.LocalHost.Tests;

internal static class TestSupport
{
    /// <summary>Host output: discarded, or appended to the file named by LOCALHOST_TEST_LOG when debugging.</summary>
    public static readonly TextWriter Log = Environment.GetEnvironmentVariable("LOCALHOST_TEST_LOG") is { Length: > 0 } path
        ? TextWriter.Synchronized(new StreamWriter(path, append: true) { AutoFlush = true })
        : TextWriter.Null;

    /// <summary>The test handler's build output: a script root (same configuration as this test assembly).</summary>
    public static string HandlerRoot
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepoPaths.Root, "tests", "Mlops.LocalHost.TestHandler", "bin", configuration, "net10.0");
            return File.Exists(Path.Combine(path, "host.json")) ? path : throw new InvalidOperationException($"{path}: build Mlops.LocalHost.TestHandler first.");
        }
    }

    /// <summary>A private copy of the handler's script root, with host.json changed by <paramref name="edit"/>.</summary>
    public static string CopyRoot(Action<JsonObject> edit)
    {
        var target = Path.Combine(Path.GetTempPath(), "localhost-tests-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(HandlerRoot, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(HandlerRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }

        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "host.json")))!.AsObject();
        edit(hostJson);
        File.WriteAllText(Path.Combine(target, "host.json"), hostJson.ToJsonString());
        return target;
    }

    public static FunctionsHostOptions Options(string connectionString, string? root = null, string? hostId = null) => new()
    {
        ScriptRoot = root ?? HandlerRoot,
        Port = 0,
        Environment = new Dictionary<string, string> { ["AzureWebJobsStorage"] = connectionString },
        BlobScanInterval = TimeSpan.FromMilliseconds(200),
        MaxQueuePollInterval = TimeSpan.FromMilliseconds(100),
        MessageLease = TimeSpan.FromSeconds(5),
        TimerLockLease = TimeSpan.FromSeconds(15),
        HostId = hostId ?? "tests-" + Guid.NewGuid().ToString("N")[..8],
        Output = Log,
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

    /// <summary>The invocation bodies the test handler recorded for a function, oldest first.</summary>
    public static async Task<List<JsonObject>> ProbesAsync(string connectionString, string function)
    {
        var container = new BlobServiceClient(connectionString).GetBlobContainerClient("probe");
        var result = new List<JsonObject>();
        if (!await container.ExistsAsync())
        {
            return result;
        }

        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, function + "/", CancellationToken.None))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            result.Add(JsonNode.Parse(content.Value.Content.ToString())!.AsObject());
        }

        return result;
    }

    /// <summary>Decodes one level of JSON string encoding.</summary>
    public static string Unquote(JsonNode? node) => JsonNode.Parse(node!.GetValue<string>())!.GetValue<string>();
}

/// <summary>One Azurite and one in-process host on the test handler, shared by a test class.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;

    public string ConnectionString => _azurite!.ConnectionString;

    public RunningFunctionsHost Host { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartAsync();
        Host = await FunctionsHost.StartAsync(TestSupport.Options(ConnectionString));
        Http.BaseAddress = Host.BaseUri;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await _azurite!.DisposeAsync();
    }
}
