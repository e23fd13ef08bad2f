using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mlops.Core.Errors;

namespace Mlops.FunctionApp.Hosting;

/// <summary>Reads request bodies: bounded byte reads for JSON APIs, and records with every parse problem as a 400 naming the field.</summary>
internal static class RequestBody
{
    /// <summary>Largest JSON body of the management routes.</summary>
    public const int MaxJsonBytes = 1024 * 1024;

    /// <summary>The body's bytes, at most <paramref name="maxBytes"/> + 1 (so the caller's own size rule can answer 413).</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new MlopsException(ErrorCode.TooLarge, $"The body is {request.ContentLength} bytes; at most {maxBytes} are accepted here.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Deserialises a JSON body; an empty body gives <paramref name="whenEmpty"/> or a 400.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken, T? whenEmpty = null) where T : class
    {
        var body = await ReadBytesAsync(request, MaxJsonBytes, cancellationToken).ConfigureAwait(false);
        if (body.Length > MaxJsonBytes)
        {
            throw new MlopsException(ErrorCode.TooLarge, $"JSON bodies over {MaxJsonBytes} bytes are not accepted here.");
        }

        if (body.Length == 0)
        {
            return whenEmpty ?? throw MlopsException.Invalid("$", "required", "The request needs a JSON body.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, ApiJson.Options) ?? throw MlopsException.Invalid("$", "required", "The request body is null.");
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            throw MlopsException.Invalid(field, "type", $"'{field}' has the wrong JSON type or the body is not valid JSON.");
        }
    }
}
