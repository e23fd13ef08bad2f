using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Mlops.Catalog;
using Mlops.LocalHost;
using Mlops.Testing;

namespace Mlops.Functions.Tests.EndToEnd;

/// <summary>
/// The app as a user meets it: a real Azurite, the local Functions host running the built handler folder, and an
/// HttpClient on the host's port. One per test class; each test uses its own project names.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    private AzuriteInstance? _azurite;
    private RunningFunctionsHost? _host;

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
        _host = await FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            ScriptRoot = RepoPaths.FunctionsScriptRoot,
            Port = 0,
            Environment = { ["AzureWebJobsStorage"] = _azurite.ConnectionString, ["MLOPS_DRIFT_SCHEDULE"] = "0 0 0 1 1 *", ["MLOPS_RETRAIN_CHECK_SCHEDULE"] = "0 0 0 1 1 *", ["MLOPS_MONITORING_SETTLE_SECONDS"] = "0" },
            BlobScanInterval = TimeSpan.FromMilliseconds(250),
            MaxQueuePollInterval = TimeSpan.FromMilliseconds(100),
            Output = TextWriter.Null,
        });
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
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"PUT project {project}: {(int)response.StatusCode} {body}");
        return body;
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
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails with <paramref name="what"/> after the timeout.</summary>
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
    public Task<JsonElement> WaitForRunAsync(string runId, TimeSpan? timeout = null) =>
        EventuallyAsync<JsonElement?>(async () =>
        {
            using var response = await Http.GetAsync($"api/runs/{runId}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.TryGetProperty("runtimeStatus", out var s) && s.GetString() is "Completed" or "Failed" or "Terminated" ? body : null;
        }, $"run {runId} to finish", timeout).ContinueWith(t => t.Result!.Value, TaskScheduler.Default);

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
