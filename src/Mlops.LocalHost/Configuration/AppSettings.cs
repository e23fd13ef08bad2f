using System.Collections;
using System.Text.RegularExpressions;

namespace Mlops.LocalHost.Configuration;

/// <summary>
/// The app settings as the host sees them: local.settings.json Values, overridden by the process environment
/// (shell variables win, like <c>func start</c>), overridden by explicit host options.
/// </summary>
internal sealed partial class AppSettings
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public AppSettings(IReadOnlyDictionary<string, string> localSettings, IDictionary<string, string> overrides)
    {
        foreach (var (k, v) in localSettings)
        {
            _values[k] = v;
        }

        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            _values[(string)e.Key] = (string?)e.Value ?? "";
        }

        foreach (var (k, v) in overrides)
        {
            _values[k] = v;
        }

        Overrides = new Dictionary<string, string>(overrides, StringComparer.OrdinalIgnoreCase);
        LocalSettings = localSettings;
    }

    public IReadOnlyDictionary<string, string> LocalSettings { get; }

    public IReadOnlyDictionary<string, string> Overrides { get; }

    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Replaces <c>%NAME%</c> with the setting's value (spec §1.2: arguments and schedules may use them).</summary>
    public string Expand(string text) => Placeholder().Replace(text, m => this[m.Groups[1].Value] ?? m.Value);

    /// <summary>The connection string a binding's <c>connection</c> names: the setting itself, or <c>AzureWebJobs{name}</c>, or AzureWebJobsStorage.</summary>
    public string StorageConnection(string? connectionName)
    {
        var name = string.IsNullOrEmpty(connectionName) ? "AzureWebJobsStorage" : connectionName;
        var value = this[name] ?? this["AzureWebJobs" + name] ?? this["ConnectionStrings:" + name];
        if (string.IsNullOrEmpty(value) && name.Equals("Storage", StringComparison.OrdinalIgnoreCase))
        {
            value = this["AzureWebJobsStorage"];
        }

        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException(
                $"connection '{name}': no app setting of that name (nor AzureWebJobs{name}); set it in local.settings.json Values or the environment.");
        }

        return value;
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Placeholder();
}
