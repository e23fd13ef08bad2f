using System.Collections;
using System.Text.RegularExpressions;

namespace Mlops.WorkerHost.Configuration;

/// <summary>
/// The settings the host and worker see: local.settings.json Values under the process environment (an existing variable
/// wins, as in Core Tools), under explicit host options. <see cref="WorkerEnvironment"/> is what the worker gets on top of
/// the inherited environment.
/// </summary>
internal sealed partial class AppSettings
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _worker = new(StringComparer.Ordinal);

    public AppSettings(LocalSettings local, IDictionary<string, string> overrides)
    {
        foreach (var (k, v) in local.Values)
        {
            _values[k] = v;
            _worker[k] = v;
        }

        foreach (var (k, v) in local.ConnectionStrings)
        {
            _values["ConnectionStrings:" + k] = v;
            _worker["ConnectionStrings__" + k] = v;
        }

        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            _values[(string)e.Key] = (string?)e.Value ?? "";
            _worker.Remove((string)e.Key);
        }

        foreach (var (k, v) in overrides)
        {
            _values[k] = v;
            _worker[k] = v;
        }
    }

    /// <summary>Variables to set in the worker's environment (Values not already in the environment, plus overrides).</summary>
    public IReadOnlyDictionary<string, string> WorkerEnvironment => _worker;

    public string? this[string name] => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>Replaces <c>%NAME%</c> with the setting's value (schedules, queue names and paths may use them).</summary>
    public string Expand(string text) => Placeholder().Replace(text, m => this[m.Groups[1].Value] ?? m.Value);

    /// <summary>The connection string a binding's <c>connection</c> names: the setting, <c>AzureWebJobs{name}</c>, ConnectionStrings, else AzureWebJobsStorage.</summary>
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
