using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Mlops.Catalog;
using Mlops.Testing;
using Mlops.WorkerHost;

namespace Mlops.FunctionApp.Tests.EndToEnd;

/// <summary>
/// The app as a user meets it: a real Azurite, the new Functions host (<see cref="FunctionsHost"/>) running the
/// isolated-worker app's build output with a real worker process and Durable Functions on DTFx, and an HttpClient on
/// the host's port. One per test class; each test uses its own project names.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;
    private RunningFunctionsHost? _host;

    /// <summary>
    /// The app's script root: <c>src/Mlops.FunctionApp/bin/{Configuration}/net10.0</c>, built through this project's
    /// reference (functions.metadata, worker.config.json and host.json come from the build; settings come from
    /// <see cref="Settings"/>, so no local.settings.json is needed).
    /// </summary>
    public static string ScriptRoot
    {
        get
        {
            var path = Path.Combine(RepoPaths.Root, "src", "Mlops.FunctionApp", "bin", RepoPaths.Configuration, "net10.0");
            return File.Exists(Path.Combine(path, "worker.config.json")) ? path : throw new InvalidOperationException($"{path}: build Mlops.FunctionApp first.");
        }
    }

    /// <summary>The app settings every end-to-end host gets: storage, and the monitoring timers out of the way (1 January only).</summary>
    public static Dictionary<string, string> Settings(string connectionString) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
        ["MLOPS_DRIFT_SCHEDULE"] = "0 0 0 1 1 *",
        ["MLOPS_RETRAIN_CHECK_SCHEDULE"] = "0 0 0 1 1 *",
        ["MLOPS_FEATURES_SCHEDULE"] = "0 0 0 1 1 *",
        ["MLOPS_MONITORING_SETTLE_SECONDS"] = "0",
    };

    /// <summary>Storage connection string (Azurite).</summary>
    public string Storage => _azurite!.ConnectionString;

    /// <summary>A client on the host's base URL.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The running host.</summary>
    public RunningFunctionsHost Host => _host!;

    /// <summary>Direct read access to what the app stored, for assertions.</summary>
    public CatalogServices Catalog { get; private set; } = null!;

    /// <summary>Blob access, for uploads to <c>incoming/</c> as a user would.</summary>
    public BlobServiceClient Blobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteInstance.StartAsync();
        var options = new FunctionsHostOptions
        {
            ScriptRoot = ScriptRoot,
            Port = 0,
            BlobScanInterval = TimeSpan.FromMilliseconds(250),
            MaxQueuePollInterval = TimeSpan.FromMilliseconds(100),
            HostId = "e2e-" + Guid.NewGuid().ToString("N")[..8],
            Output = TestLog.Writer,
        };
        foreach (var (key, value) in Settings(_azurite.ConnectionString))
        {
            options.Environment[key] = value;
        }

        _host = await FunctionsHost.StartAsync(options);
        Http = new HttpClient { BaseAddress = _host.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        Catalog = CatalogServices.FromConnectionString(_azurite.ConnectionString);
        Blobs = new BlobServiceClient(_azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>PUT a project spec; returns the response body.</summary>
    public async Task<JsonElement> PutProjectAsync(string project, string specJson)
    {
        using var response = await Http.PutAsync($"api/projects/{project}", new StringContent(specJson, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT project {project}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Uploads a file to <c>incoming/{project}/{name}</c> like a user with Storage Explorer would.</summary>
    public async Task UploadBlobAsync(string project, string name, string content)
    {
        var container = Blobs.GetBlobContainerClient("incoming");
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient($"{project}/{name}").UploadAsync(BinaryData.FromString(content), overwrite: true);
    }

    /// <summary>POSTs CSV to the upload route.</summary>
    public async Task<(int Status, JsonElement Body)> PostCsvAsync(string project, string csv)
    {
        using var response = await Http.PostAsync($"api/projects/{project}/datasets", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"POST datasets of {project}: {(int)response.StatusCode}, not JSON: '{text}'");
        }
    }

    /// <summary>Waits until <paramref name="probe"/> returns a value, polling; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(4));
        while (true)
        {
            var value = await probe();
            if (value is not null)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits for a run's orchestration to finish and returns GET /api/runs/{id}.</summary>
    public async Task<JsonElement> WaitForRunAsync(string runId, TimeSpan? timeout = null) =>
        (await EventuallyAsync<JsonElement?>(async () =>
        {
            using var response = await Http.GetAsync($"api/runs/{runId}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.TryGetProperty("runtimeStatus", out var s) && s.GetString() is "Completed" or "Failed" or "Terminated" ? body : null;
        }, $"run {runId} to finish", timeout)) ?? throw new InvalidOperationException("unreachable: EventuallyAsync returns a value");

    /// <summary>The project's latest run id, once it exists.</summary>
    public Task<string> WaitForLatestRunAsync(string project) =>
        EventuallyAsync(async () =>
        {
            using var response = await Http.GetAsync($"api/projects/{project}");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode && body.TryGetProperty("latestRun", out var run) && run.ValueKind == JsonValueKind.Object
                ? run.GetProperty("runId").GetString()
                : null;
        }, $"a run of project {project}");
}

/// <summary>Host output: discarded, or appended to the file named by FUNCTIONAPP_E2E_LOG when debugging.</summary>
internal static class TestLog
{
    public static readonly TextWriter Writer = Environment.GetEnvironmentVariable("FUNCTIONAPP_E2E_LOG") is { Length: > 0 } path
        ? TextWriter.Synchronized(new StreamWriter(path, append: true) { AutoFlush = true })
        : TextWriter.Null;
}

/// <summary>Real data for end-to-end tests: seattle-weather.csv and slices of it.</summary>
public static class WeatherData
{
    private static readonly Lazy<string[]> Lines = new(() => File.ReadAllLines(RepoPaths.Dataset("seattle-weather.csv")));

    /// <summary>The whole file.</summary>
    public static string All => string.Join('\n', Lines.Value) + "\n";

    /// <summary>Header plus the rows whose index (0-based, data rows) passes <paramref name="keep"/>.</summary>
    public static string Rows(Func<int, string, bool> keep) =>
        Lines.Value[0] + "\n" + string.Join('\n', Lines.Value.Skip(1).Where((line, i) => keep(i, line))) + "\n";

    /// <summary>Rows of the given months (1-12), all years.</summary>
    public static string Months(params int[] months) =>
        Rows((_, line) => months.Contains(int.Parse(line.AsSpan(5, 2), System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A fast spec for tests: one LightGBM candidate.</summary>
    public const string FastSpec = """{"target":"weather","task":"multiclass","ignore":["date"],"trainers":["lightgbm"],"search":{"maxCandidates":1}}""";
}
