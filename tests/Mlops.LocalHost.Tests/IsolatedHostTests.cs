using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Mlops.Testing;

namespace Mlops.LocalHost.Tests;

/// <summary>Behaviour that needs its own host configuration or several host lifetimes (one Azurite for the class).</summary>
public sealed class IsolatedHostTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task EnforcedKeysAndForwarding_KeysCheckedPlainHttpForwardedDurableClientNot()
    {
        var root = TestSupport.CopyRoot(h => h["customHandler"]!["enableForwardingHttpRequest"] = true);
        var options = TestSupport.Options(azurite.ConnectionString, root);
        await using var host = await FunctionsHost.StartAsync(new FunctionsHostOptions
        {
            ScriptRoot = options.ScriptRoot,
            Environment = options.Environment,
            HostId = options.HostId,
            Output = options.Output,
            EnforceKeys = true,
            BlobScanInterval = options.BlobScanInterval,
            MaxQueuePollInterval = options.MaxQueuePollInterval,
            MessageLease = options.MessageLease,
        });
        using var http = new HttpClient { BaseAddress = host.BaseUri };

        using var forwarded = await http.PostAsync("api/plain?a=1", new StringContent("hello"));
        Assert.Equal("forwarded:POST:?a=1:hello:has-invocation-id", await forwarded.Content.ReadAsStringAsync());

        using var noKey = await http.GetAsync("api/items/1");
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "api/items/1") { Headers = { { "x-functions-key", "nope" } } };
        using var wrong = await http.SendAsync(wrongKey);
        using var byHeader = new HttpRequestMessage(HttpMethod.Get, "api/items/1") { Headers = { { "x-functions-key", host.FunctionKey("Echo") } } };
        using var withHeader = await http.SendAsync(byHeader);
        using var byCode = await http.GetAsync($"api/items/1?code={Uri.EscapeDataString(host.MasterKey!)}");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        // Echo is plain HTTP in/out, so it is forwarded to /api/items/1, which the handler does not serve: its own 404 comes back.
        Assert.Equal(HttpStatusCode.NotFound, withHeader.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byCode.StatusCode);

        // A durableClient input makes the function ineligible for forwarding (spec §1.4): it gets the JSON payload.
        using var started = await http.PostAsync("api/start/Chain", new StringContent("1", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var statusUri = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["statusQueryGetUri"]!.GetValue<string>();
        using var withCode = await http.GetAsync(statusUri);
        using var withoutCode = await http.GetAsync(statusUri[..statusUri.IndexOf('?')]);
        Assert.NotEqual(HttpStatusCode.Unauthorized, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);

        using var adminNoKey = await http.PostAsync("admin/functions/TimerProbe", new StringContent("{}", Encoding.UTF8, "application/json"));
        using var adminRequest = new HttpRequestMessage(HttpMethod.Post, "admin/functions/TimerProbe")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            Headers = { { "x-functions-key", host.MasterKey } },
        };
        using var adminWithKey = await http.SendAsync(adminRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, adminNoKey.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, adminWithKey.StatusCode);

        // Keys live where the real host keeps them: azure-webjobs-secrets/{hostId}/{function}.json.
        var secrets = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("azure-webjobs-secrets");
        var echoKeys = JsonNode.Parse((await secrets.GetBlobClient($"{host.HostId}/echo.json").DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(host.FunctionKey("Echo"), echoKeys["keys"]![0]!["value"]!.GetValue<string>());
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task TimerWithMonitor_RunMissedWhileStoppedAndTwoHosts_FiresOncePastDue()
    {
        var hostId = "timer-" + Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        var hosts = blobs.GetBlobContainerClient("azure-webjobs-hosts");
        await hosts.CreateIfNotExistsAsync();
        var status = hosts.GetBlobClient($"timers/{hostId}/Host.Functions.TimerProbe/status");
        await status.UploadAsync(BinaryData.FromString("""{"Last":"2020-01-01T00:00:00Z","Next":"2021-01-01T00:00:00Z","LastUpdated":"2020-01-01T00:00:00Z"}"""), overwrite: true);

        var first = FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, hostId: hostId));
        var second = FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, hostId: hostId));
        await using var a = await first;
        await using var b = await second;

        var updated = await TestSupport.WaitForAsync(async () =>
        {
            var s = JsonNode.Parse((await status.DownloadContentAsync()).Value.Content.ToString())!;
            return s["Next"]!.GetValue<string>().StartsWith("2021", StringComparison.Ordinal) ? null : s;
        }, "the schedule status to move on");

        var probes = (await TestSupport.ProbesAsync(azurite.ConnectionString, "TimerProbe")).Where(p => p["Data"]!["timer"]!["IsPastDue"]!.GetValue<bool>()).ToList();
        var pastDue = Assert.Single(probes);
        Assert.Equal("2021-01-01T00:00:00Z", pastDue["Data"]!["timer"]!["ScheduleStatus"]!["Next"]!.GetValue<string>());
        Assert.True(DateTime.Parse(updated!["Next"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime() > DateTime.UtcNow);
    }

    [Fact]
    public async Task BlobTrigger_HostRestarts_BlobsUploadedWhileStoppedFireOnceAndOldOnesNotAgain()
    {
        var hostId = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var category = "r" + Guid.NewGuid().ToString("N")[..6];
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("samples-in");
        await container.CreateIfNotExistsAsync();
        async Task<int> Count(string name) => (await TestSupport.ProbesAsync(azurite.ConnectionString, "BlobProbe"))
            .Count(p => p["Metadata"]!["category"]!.GetValue<string>() == $"\"{category}\"" && p["Metadata"]!["name"]!.GetValue<string>() == $"\"{name}\"");

        await using (var first = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, hostId: hostId)))
        {
            await container.GetBlobClient($"{category}/a.txt").UploadAsync(BinaryData.FromString("a"));
            await TestSupport.WaitForAsync(async () => await Count("a.txt") == 1 ? (bool?)true : null, "blob a");
        }

        await container.GetBlobClient($"{category}/b.txt").UploadAsync(BinaryData.FromString("b"));
        await using (var second = await FunctionsHost.StartAsync(TestSupport.Options(azurite.ConnectionString, hostId: hostId)))
        {
            await TestSupport.WaitForAsync(async () => await Count("b.txt") == 1 ? (bool?)true : null, "blob b, uploaded while stopped");
            await container.GetBlobClient($"{category}/c.txt").UploadAsync(BinaryData.FromString("c"));
            await TestSupport.WaitForAsync(async () => await Count("c.txt") == 1 ? (bool?)true : null, "blob c");
        }

        Assert.Equal(1, await Count("a.txt"));
        Assert.Equal(1, await Count("b.txt"));
    }
}
