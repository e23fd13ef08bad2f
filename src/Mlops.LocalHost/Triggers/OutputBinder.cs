using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mlops.LocalHost.Configuration;
using Mlops.LocalHost.Durable;
using Mlops.LocalHost.Handler;
using Mlops.LocalHost.Storage;

namespace Mlops.LocalHost.Triggers;

/// <summary>
/// Writes a successful invocation's <c>Outputs</c> (spec §2.3): blob and queue outputs (strings that are valid base64
/// are decoded to bytes unless <c>dataType</c> is binary; objects become compact JSON) and <c>durableClient</c> outputs
/// (an object <c>{FunctionName, InstanceId, Input}</c> starts an orchestration, spec §9a).
/// </summary>
internal sealed partial class OutputBinder(AppSettings settings, Func<string?, StorageAccount> accounts, DurableClient? durable)
{
    public async Task WriteAsync(FunctionDefinition function, InvocationResult result, IReadOnlyDictionary<string, string> bindingData, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs)
        {
            if (binding.IsType("http"))
            {
                continue;
            }

            var value = binding.Name == "$return" ? result.ReturnValue : result.Output(binding.Name);
            if (value is null)
            {
                continue;
            }

            if (binding.IsType("blob"))
            {
                var path = Resolve(binding.Get("path") ?? "", bindingData);
                var slash = path.IndexOf('/');
                var container = accounts(binding.Get("connection")).Blobs.GetBlobContainerClient(path[..slash]);
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await container.GetBlobClient(path[(slash + 1)..]).UploadAsync(BinaryData.FromBytes(Bytes(value, binding)), overwrite: true, cancellationToken).ConfigureAwait(false);
            }
            else if (binding.IsType("queue"))
            {
                var queue = accounts(binding.Get("connection")).Queue(Resolve(binding.Get("queueName") ?? "", bindingData).ToLowerInvariant());
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var items = value is JsonArray array ? array.ToList() : [value];
                foreach (var item in items)
                {
                    if (item is not null)
                    {
                        // The Functions queue extension writes base64-encoded messages by default.
                        await queue.SendMessageAsync(Convert.ToBase64String(Bytes(item, binding)), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else if ((binding.IsType("durableClient") || binding.IsType("orchestrationClient")) && durable is not null)
            {
                var items = value is JsonArray array ? array.ToList() : [value];
                foreach (var item in items.OfType<JsonObject>())
                {
                    var name = Field(item, "FunctionName") ?? throw new InvalidOperationException($"{function.Name}: durableClient output '{binding.Name}' needs FunctionName.");
                    var input = item.FirstOrDefault(p => p.Key.Equals("Input", StringComparison.OrdinalIgnoreCase)).Value;
                    await durable.StartNewAsync(name, Field(item, "InstanceId"), input?.ToJsonString(), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static string? Field(JsonObject o, string name) =>
        o.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>The host's ConvertValueToStream: strings that are valid base64 become their bytes (spec §2.3, §8.6).</summary>
    internal static byte[] Bytes(JsonNode value, BindingDefinition binding)
    {
        if (value is JsonValue v && v.TryGetValue(out string? s))
        {
            var binary = string.Equals(binding.Get("dataType"), "binary", StringComparison.OrdinalIgnoreCase);
            if (!binary)
            {
                var buffer = new byte[s.Length];
                if (s.Length > 0 && Convert.TryFromBase64String(s, buffer, out var written))
                {
                    return buffer[..written];
                }
            }

            return Encoding.UTF8.GetBytes(s);
        }

        return Encoding.UTF8.GetBytes(value.ToJsonString());
    }

    /// <summary>Fills <c>{token}</c>, <c>{rand-guid}</c>, <c>{DateTime}</c> and <c>%SETTING%</c> in a binding path.</summary>
    internal string Resolve(string template, IReadOnlyDictionary<string, string> bindingData)
    {
        template = settings.Expand(template);
        return Token().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            if (name.Equals("rand-guid", StringComparison.OrdinalIgnoreCase))
            {
                return Guid.NewGuid().ToString();
            }

            if (name.Equals("DateTime", StringComparison.OrdinalIgnoreCase))
            {
                return DateTime.UtcNow.ToString("yyyy-MM-ddTHH-mm-ssZ", System.Globalization.CultureInfo.InvariantCulture);
            }

            return bindingData.TryGetValue(name, out var v) ? v : m.Value;
        });
    }

    [GeneratedRegex(@"\{([^{}]+)\}")]
    private static partial Regex Token();
}
