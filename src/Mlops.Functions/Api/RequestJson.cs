using System.Text.Json;
using Mlops.Core.Errors;
using Mlops.Functions.Hosting;

namespace Mlops.Functions.Api;

/// <summary>Reads JSON request bodies into records, turning every parse problem into a 400 that names the field.</summary>
public static class RequestJson
{
    /// <summary>Deserialises the body; an empty body gives <paramref name="whenEmpty"/> or a 400.</summary>
    public static T Read<T>(HttpRequestData request, T? whenEmpty = null) where T : class
    {
        if (request.Body.Length == 0)
        {
            return whenEmpty ?? throw MlopsException.Invalid("$", "required", "The request needs a JSON body.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(request.Body, FunctionJson.Options)
                   ?? throw MlopsException.Invalid("$", "required", "The request body is null.");
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "$" : ex.Path.TrimStart('$', '.');
            throw MlopsException.Invalid(field, "type", $"'{field}' has the wrong JSON type or the body is not valid JSON.");
        }
    }
}
