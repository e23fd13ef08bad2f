using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Triggers;

namespace Mlops.WorkerHost.Tests;

/// <summary>Script-root rules that need no worker: local.settings.json semantics, blob path tokens, schedules.</summary>
public sealed class ConfigurationTests
{
    private static string RootWith(string localSettings)
    {
        var dir = Path.Combine(Path.GetTempPath(), "workerhost-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "local.settings.json"), localSettings);
        return dir;
    }

    [Fact]
    public void Load_IsEncryptedAbsent_TreatedAsEncryptedAndRejected()
    {
        var root = RootWith("""{ "Values": { "A": "1" } }""");
        var ex = Assert.Throws<InvalidOperationException>(() => LocalSettings.Load(root));
        Assert.Contains("IsEncrypted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PlainValuesAndHostPort_ReadWithConnectionStrings()
    {
        var root = RootWith("""
            { "IsEncrypted": false, "Values": { "A": "1", "Empty": "", "Skipped": null },
              "ConnectionStrings": { "Db": { "ConnectionString": "x=1", "ProviderName": "p" } }, "Host": { "LocalHttpPort": 7099 } }
            """);
        var settings = LocalSettings.Load(root);
        Assert.Equal("1", settings.Values["A"]);
        Assert.Equal("", settings.Values["Empty"]);
        Assert.False(settings.Values.ContainsKey("Skipped"));
        Assert.Equal("x=1", settings.ConnectionStrings["Db"]);
        Assert.Equal(7099, settings.LocalHttpPort);
    }

    [Fact]
    public void AppSettings_ExistingEnvironmentVariable_WinsOverValues()
    {
        var name = "WORKERHOST_TEST_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            var root = RootWith($$"""{ "IsEncrypted": false, "Values": { "{{name}}": "from-file", "Schedule": "0 */5 * * * *" } }""");
            var settings = new AppSettings(LocalSettings.Load(root), new Dictionary<string, string>());
            Assert.Equal("from-env", settings[name]);
            Assert.False(settings.WorkerEnvironment.ContainsKey(name));
            Assert.Equal("every 0 */5 * * * *", settings.Expand("every %Schedule%"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Theory]
    [InlineData("incoming/{name}", "a/b.txt", "name", "a/b.txt")]
    [InlineData("images/{stem}.{ext}", "cat.large.png", "ext", "large.png")]
    [InlineData("images/raw-{id}", "raw-42", "id", "42")]
    public void BlobPathPattern_Match_ExtractsTokens(string path, string blob, string token, string expected)
    {
        var tokens = new BlobPathPattern(path).Match(blob);
        Assert.NotNull(tokens);
        Assert.Equal(expected, tokens[token]);
    }

    [Fact]
    public void BlobPathPattern_OtherPrefix_DoesNotMatch() =>
        Assert.Null(new BlobPathPattern("images/raw-{id}").Match("other-42"));

    [Fact]
    public void TimerSchedule_SixFieldCron_NextOccurrenceHasSeconds()
    {
        var next = new TimerSchedule("*/10 * * * * *").Next(new DateTime(2026, 1, 1, 0, 0, 3, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 10, DateTimeKind.Utc), next);
    }

    [Fact]
    public void TimerSchedule_TimeSpan_AddsInterval() =>
        Assert.Equal(new DateTime(2026, 1, 1, 0, 5, 0, DateTimeKind.Utc), new TimerSchedule("00:05:00").Next(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
}
