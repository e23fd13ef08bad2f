using System.IO.Compression;
using System.Net;
using System.Text.Json;

namespace Mlops.Dashboard.Tests;

/// <summary>
/// The dashboard's HTTP side through the host: the UI route's files, types, caching and refusals, and the browse API
/// routes the pages read (with their OpenAPI entries).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardHttpTests(DashboardFixture app)
{
    private readonly HttpClient _raw = new(new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = app.Http.BaseAddress };

    [Theory]
    [InlineData("api/ui/", "text/html")]
    [InlineData("api/ui/index.html", "text/html")]
    [InlineData("api/ui/js/app.js", "text/javascript")]
    [InlineData("api/ui/js/pages/run.js", "text/javascript")]
    [InlineData("api/ui/style.css", "text/css")]
    [InlineData("api/ui/vendor/vega-lite.min.js", "text/javascript")]
    [InlineData("api/ui/favicon.svg", "image/svg+xml")]
    public async Task UiRoute_File_ServedWithItsContentType(string path, string type)
    {
        using var response = await _raw.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotNull(response.Headers.ETag);
    }

    [Fact]
    public async Task UiRoute_IndexPage_HasAContentSecurityPolicyThatAllowsOnlyTheAppItself()
    {
        using var response = await _raw.GetAsync("api/ui/");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("connect-src 'self'", csp);
        Assert.DoesNotContain("http", csp);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("//cdn", html);
        Assert.DoesNotContain("https://", html.Replace("https://vega.github.io", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UiRoute_ClientSideRoute_FallsBackToTheIndexPage()
    {
        var index = await _raw.GetStringAsync("api/ui/index.html");
        Assert.Equal(index, await _raw.GetStringAsync("api/ui/projects/weather"));
    }

    [Fact]
    public async Task UiRoute_WithoutTrailingSlash_RedirectsSoRelativeUrlsWork()
    {
        using var response = await _raw.GetAsync("api/ui");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/api/ui/", response.Headers.Location!.ToString());
    }

    [Theory]
    // (".." written plainly is resolved by the client before sending, so only encoded forms reach the server.)
    [InlineData("api/ui/..%2fhost.json")]
    [InlineData("api/ui/%2e%2e%2f%2e%2e%2fhost.json")]
    [InlineData("api/ui/js/..%2f..%2fMlops.FunctionApp.dll.json")]
    [InlineData("api/ui/.hidden.js")]
    [InlineData("api/ui/js%5c..%5cindex.html")]
    [InlineData("api/ui/no-such-file.js")]
    public async Task UiRoute_PathOutsideTheDashboardOrMissing_Is404ProblemDetails(string path)
    {
        using var response = await _raw.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UiRoute_GzipAndETag_CompressesAndRevalidates()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ui/vendor/vega.min.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await _raw.SendAsync(request);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        var compressed = await response.Content.ReadAsByteArrayAsync();
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gzip.CopyToAsync(plain);
        Assert.True(compressed.Length < plain.Length / 2, $"{compressed.Length} gzip bytes for {plain.Length}");
        Assert.StartsWith("!function", System.Text.Encoding.UTF8.GetString(plain.ToArray(), 0, 9));

        using var again = new HttpRequestMessage(HttpMethod.Get, "api/ui/vendor/vega.min.js");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await _raw.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task BrowseApi_ProjectWithoutAModelYet_ListedWithoutOneNotA404ForTheWholeList()
    {
        // A project whose first run has not registered a model (here: no upload at all) used to turn GET /api/projects,
        // and with it the dashboard's home page, into "404 Model '…' does not exist" for every project.
        var project = "nomodel-" + Guid.NewGuid().ToString("N")[..8];
        using (var put = await app.Http.PutAsync($"api/projects/{project}", new StringContent(
                   """{"target":"weather","task":"multiclass","ignore":["date"]}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var response = await _raw.GetAsync("api/projects");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var listed = JsonDocument.Parse(body).RootElement.GetProperty("projects").EnumerateArray()
            .Single(p => p.GetProperty("project").GetString() == project);
        Assert.True(!listed.TryGetProperty("productionVersion", out var production) || production.ValueKind == JsonValueKind.Null, listed.ToString());
        Assert.True(!listed.TryGetProperty("latestModelVersion", out var latest) || latest.ValueKind == JsonValueKind.Null, listed.ToString());
        Assert.Contains(JsonDocument.Parse(body).RootElement.GetProperty("projects").EnumerateArray(),
            p => p.GetProperty("project").GetString() == DashboardFixture.Project && p.GetProperty("productionVersion").GetInt32() >= 1);
    }

    [Fact]
    public async Task BrowseApi_ProjectsRunsProfileQuarantine_AnswerWhatThePagesRead()
    {
        var projects = await app.GetJsonAsync("api/projects");
        var weather = projects.GetProperty("projects").EnumerateArray().Single(p => p.GetProperty("project").GetString() == DashboardFixture.Project);
        Assert.True(weather.GetProperty("productionVersion").GetInt32() >= 1);
        Assert.True(weather.GetProperty("drift").GetProperty("drifted").GetBoolean());

        var runs = await app.GetJsonAsync("api/projects/weather/runs?take=2");
        Assert.Equal(2, runs.GetProperty("runs").GetArrayLength());
        Assert.True(runs.GetProperty("total").GetInt32() >= 3);
        var first = runs.GetProperty("runs")[0].GetProperty("createdAt").GetDateTimeOffset();
        Assert.True(first >= runs.GetProperty("runs")[1].GetProperty("createdAt").GetDateTimeOffset(), "newest first");

        var sha = (await app.GetJsonAsync("api/projects/weather/datasets")).GetProperty("versions")[0].GetProperty("sha256").GetString();
        var profile = await app.GetJsonAsync($"api/projects/weather/datasets/{sha}/profile");
        var temp = profile.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "temp_max");
        Assert.True(temp.GetProperty("numeric").GetProperty("binFractions").GetArrayLength() > 2);

        var quarantined = await app.GetJsonAsync($"api/projects/weather/quarantine/{app.QuarantinedSha256}");
        Assert.Equal("rejected", quarantined.GetProperty("report").GetProperty("verdict").GetString());

        using var bad = await _raw.GetAsync("api/projects/weather/quarantine/not-a-sha");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("sha256", await bad.Content.ReadAsStringAsync());
        using var badTake = await _raw.GetAsync("api/projects/weather/runs?take=0");
        Assert.Equal(HttpStatusCode.BadRequest, badTake.StatusCode);

        var openApi = JsonDocument.Parse(await _raw.GetStringAsync("api/openapi.json")).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/projects", "/api/projects/{project}/runs", "/api/projects/{project}/datasets/{sha256}/profile", "/api/projects/{project}/quarantine/{sha256}" })
        {
            Assert.True(openApi.TryGetProperty(path, out var item) && item.TryGetProperty("get", out _), $"OpenAPI lacks GET {path}");
        }
    }
}
