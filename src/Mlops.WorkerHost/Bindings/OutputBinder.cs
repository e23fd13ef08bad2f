using System.Text.Json;
using Azure.Storage.Blobs;
using Mlops.WorkerHost.Configuration;
using Mlops.WorkerHost.Invocation;
using Mlops.WorkerHost.Storage;

namespace Mlops.WorkerHost.Bindings;

/// <summary>Writes queue and blob output bindings from a successful invocation (spec §5: output_data by name, $return).</summary>
internal sealed class OutputBinder(StorageClients storage, AppSettings settings)
{
    public async Task WriteAsync(FunctionDefinition function, InvocationResult result, IReadOnlyDictionary<string, BindingValue> metadata, CancellationToken cancellationToken)
    {
        foreach (var binding in function.Outputs)
        {
            var value = binding.Name == "$return" ? result.ReturnValue : result.Outputs.GetValueOrDefault(binding.Name);
            if (value is null)
            {
                continue;
            }

            if (binding.IsType("queue"))
            {
                var queue = storage.Queue(binding.Get("connection"), settings.Expand(binding.Get("queueName") ?? "").ToLowerInvariant());
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var message in Messages(value))
                {
                    await queue.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (binding.IsType("blob"))
            {
                var path = BindingExpressions.Resolve(settings.Expand(binding.Get("blobPath") ?? binding.Get("path") ?? ""), metadata);
                var slash = path.IndexOf('/', StringComparison.Ordinal);
                var container = storage.Blobs(binding.Get("connection")).GetBlobContainerClient(path[..slash]);
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                var data = value is BindingValue.Binary b ? BinaryData.FromBytes(b.Value) : BinaryData.FromString(value.AsText() ?? "");
                await container.GetBlobClient(path[(slash + 1)..]).UploadAsync(data, overwrite: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One message per element for collections and JSON arrays (the real host's collector), else one message.</summary>
    private static IEnumerable<string> Messages(BindingValue value)
    {
        switch (value)
        {
            case BindingValue.TextList list:
                return list.Values;
            case BindingValue.Json json when json.Value.TrimStart().StartsWith('['):
                using (var doc = JsonDocument.Parse(json.Value))
                {
                    return doc.RootElement.EnumerateArray()
                        .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
                }

            default:
                return [value.AsText() ?? ""];
        }
    }
}
