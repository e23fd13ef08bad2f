using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;

namespace Mlops.WorkerHost.Http;

/// <summary>
/// Function, host, master and system keys, kept where the real host keeps them by default: blob container
/// <c>azure-webjobs-secrets</c>, <c>{hostId}/host.json</c> and <c>{hostId}/{function}.json</c>, in the host's secret format.
/// </summary>
internal sealed class KeyStore
{
    public const string DurableSystemKeyName = "durabletask_extension";
    private readonly Dictionary<string, string> _functionKeys = new(StringComparer.OrdinalIgnoreCase);

    private KeyStore(string masterKey, string hostFunctionKey, string durableKey)
    {
        MasterKey = masterKey;
        HostFunctionKey = hostFunctionKey;
        DurableExtensionKey = durableKey;
    }

    public string MasterKey { get; }

    public string HostFunctionKey { get; }

    public string DurableExtensionKey { get; }

    public string? FunctionKey(string function) => _functionKeys.TryGetValue(function, out var k) ? k : null;

    public static async Task<KeyStore> LoadOrCreateAsync(BlobServiceClient? blobs, string hostId, IEnumerable<string> functions, CancellationToken cancellationToken)
    {
        if (blobs is null)
        {
            var local = new KeyStore(NewKey(), NewKey(), NewKey());
            foreach (var f in functions)
            {
                local._functionKeys[f] = NewKey();
            }

            return local;
        }

        var container = blobs.GetBlobContainerClient("azure-webjobs-secrets");
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var hostBlob = container.GetBlobClient($"{hostId}/host.json");
        var host = await ReadAsync(hostBlob, cancellationToken).ConfigureAwait(false);
        if (host is null)
        {
            host = new JsonObject
            {
                ["masterKey"] = Key("master"),
                ["functionKeys"] = new JsonArray(Key("default")),
                ["systemKeys"] = new JsonArray(Key(DurableSystemKeyName)),
                ["hostName"] = "localhost",
                ["instanceId"] = Guid.NewGuid().ToString("N"),
                ["source"] = "runtime",
                ["decryptionKeyId"] = "",
            };
            host = await WriteOnceAsync(hostBlob, host, cancellationToken).ConfigureAwait(false);
        }

        var systemKeys = host["systemKeys"] as JsonArray ?? [];
        var durable = systemKeys.FirstOrDefault(k => k?["name"]?.GetValue<string>() == DurableSystemKeyName)?["value"]?.GetValue<string>();
        var store = new KeyStore(
            host["masterKey"]?["value"]?.GetValue<string>() ?? NewKey(),
            (host["functionKeys"] as JsonArray)?.FirstOrDefault()?["value"]?.GetValue<string>() ?? NewKey(),
            durable ?? NewKey());

        foreach (var function in functions)
        {
            var blob = container.GetBlobClient($"{hostId}/{function.ToLowerInvariant()}.json");
            var doc = await ReadAsync(blob, cancellationToken).ConfigureAwait(false) ?? await WriteOnceAsync(blob, new JsonObject
            {
                ["keys"] = new JsonArray(Key("default")),
                ["hostName"] = "localhost",
                ["instanceId"] = Guid.NewGuid().ToString("N"),
                ["source"] = "runtime",
                ["decryptionKeyId"] = "",
            }, cancellationToken).ConfigureAwait(false);
            if ((doc["keys"] as JsonArray)?.FirstOrDefault()?["value"]?.GetValue<string>() is { } key)
            {
                store._functionKeys[function] = key;
            }
        }

        return store;
    }

    /// <summary>Does <paramref name="key"/> open a function of this auth level (function keys, host keys and the master key open "function")?</summary>
    public bool Authorizes(string authLevel, string function, string? key)
    {
        if (authLevel.Equals("anonymous", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        if (Equal(key, MasterKey))
        {
            return true;
        }

        if (authLevel.Equals("admin", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return Equal(key, HostFunctionKey) || (FunctionKey(function) is { } fk && Equal(key, fk));
    }

    public bool AuthorizesDurable(string? key) => !string.IsNullOrEmpty(key) && (Equal(key, DurableExtensionKey) || Equal(key, MasterKey));

    private static bool Equal(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    private static JsonObject Key(string name) => new() { ["name"] = name, ["value"] = NewKey(), ["encrypted"] = false };

    private static string NewKey() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(40)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<JsonObject?> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JsonNode.Parse(content.Value.Content.ToString()) as JsonObject;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private static async Task<JsonObject> WriteOnceAsync(BlobClient blob, JsonObject doc, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromString(doc.ToJsonString()), overwrite: false, cancellationToken).ConfigureAwait(false);
            return doc;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another host created it first: use theirs.
            return await ReadAsync(blob, cancellationToken).ConfigureAwait(false) ?? doc;
        }
    }
}
