using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Catalog;

/// <summary>The JSON settings of everything the catalog stores (part of the wire contract: camelCase, enums as strings, NaN allowed in metrics).</summary>
public static class CatalogJson
{
    /// <summary>The options every stored JSON document is written and read with.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
