using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.WorkerHost.Invocation;

namespace Mlops.WorkerHost.Bindings;

/// <summary>Resolves <c>{token}</c> in output paths from trigger metadata, plus <c>{rand-guid}</c> and <c>{DateTime}</c>.</summary>
internal static partial class BindingExpressions
{
    public static string Resolve(string template, IReadOnlyDictionary<string, BindingValue> metadata) =>
        Token().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            if (name.Equals("rand-guid", StringComparison.OrdinalIgnoreCase))
            {
                return Guid.NewGuid().ToString();
            }

            if (name.Equals("DateTime", StringComparison.OrdinalIgnoreCase))
            {
                return DateTime.UtcNow.ToString("yyyy-MM-ddTHH-mm-ssZ", CultureInfo.InvariantCulture);
            }

            var value = metadata.FirstOrDefault(kv => kv.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
            return value switch
            {
                BindingValue.Text t => t.Value,
                BindingValue.Json j => Unquote(j.Value),
                null => throw new InvalidOperationException($"binding expression '{{{name}}}' has no value in the trigger data."),
                _ => value.AsText() ?? "",
            };
        });

    private static string Unquote(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind == JsonValueKind.String ? doc.RootElement.GetString()! : doc.RootElement.GetRawText();
    }

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Token();
}
