using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;

namespace Mlops.Functions.Hosting;

/// <summary>
/// Builds the OpenAPI 3.1 document of the HTTP API from the same declarations the host routes by
/// (<see cref="HttpTriggerAttribute"/>) plus <see cref="ApiOperationAttribute"/>; schemas come from the C# types.
/// </summary>
public static partial class OpenApiDocument
{
    [GeneratedRegex(@"\{([^}:?]+)(:[^}?]+)?(\?)?\}")]
    private static partial Regex RouteToken();

    /// <summary>The document as JSON text.</summary>
    public static string Build(FunctionCatalog catalog, string routePrefix, string version)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        foreach (var function in catalog.Functions.Where(f => f.Kind == TriggerKind.Http).OrderBy(f => ((HttpTriggerAttribute)f.Trigger).Route, StringComparer.Ordinal))
        {
            var trigger = (HttpTriggerAttribute)function.Trigger;
            var doc = function.Type.GetCustomAttribute<ApiOperationAttribute>();
            if (doc is null)
            {
                continue;
            }

            var path = "/" + routePrefix + "/" + RouteToken().Replace(trigger.Route, m => "{" + m.Groups[1].Value + "}");
            var item = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = item;
            foreach (var method in trigger.Methods)
            {
                item[method] = Operation(function, trigger, doc, schemas);
            }
        }

        schemas["ProblemDetails"] = JsonNode.Parse("""
            {"type":"object","description":"RFC 7807 problem details. errors names each field and broken rule.",
             "properties":{"type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"},
             "instance":{"type":"string"},"errors":{"type":"array","items":{"type":"object","properties":{
               "field":{"type":"string"},"rule":{"type":"string"},"message":{"type":"string"}}}}}}
            """);

        var root = new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "MLOps Functions API",
                ["version"] = version,
                ["description"] = "Upload data, train and register models, serve predictions from ONNX, watch drift. " +
                                  "Errors are RFC 7807 problem details naming the field and the rule.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject Operation(FunctionDescriptor function, HttpTriggerAttribute trigger, ApiOperationAttribute doc, JsonObject schemas)
    {
        var op = new JsonObject
        {
            ["operationId"] = function.Name,
            ["summary"] = doc.Summary,
            ["tags"] = new JsonArray(doc.Tag),
        };
        if (doc.Description is not null)
        {
            op["description"] = doc.Description;
        }

        var parameters = new JsonArray();
        foreach (Match m in RouteToken().Matches(trigger.Route))
        {
            var isInt = m.Groups[2].Value.Contains("int", StringComparison.Ordinal);
            parameters.Add(new JsonObject
            {
                ["name"] = m.Groups[1].Value,
                ["in"] = "path",
                ["required"] = true,
                ["schema"] = isInt
                    ? new JsonObject { ["type"] = "integer", ["minimum"] = 1 }
                    : new JsonObject { ["type"] = "string", ["pattern"] = Mlops.Core.Projects.ResourceName.Pattern },
            });
        }

        if (parameters.Count > 0)
        {
            op["parameters"] = parameters;
        }

        if (doc.RequestBody is not null || doc.RequestMediaTypes.Length > 0)
        {
            var content = new JsonObject();
            if (doc.RequestBody is not null)
            {
                content["application/json"] = new JsonObject { ["schema"] = SchemaRef(doc.RequestBody, schemas) };
            }

            foreach (var media in doc.RequestMediaTypes)
            {
                content[media] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } };
            }

            op["requestBody"] = new JsonObject { ["required"] = true, ["content"] = content };
        }

        var responses = new JsonObject();
        var success = new JsonObject { ["description"] = "Success" };
        if (doc.Response is not null)
        {
            success["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = SchemaRef(doc.Response, schemas) } };
        }

        responses[doc.SuccessStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)] = success;
        foreach (var status in doc.ErrorStatuses)
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = "Problem details",
                ["content"] = new JsonObject
                {
                    [Problems.MediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } },
                },
            };
        }

        op["responses"] = responses;
        return op;
    }

    private static JsonObject SchemaRef(Type type, JsonObject schemas)
    {
        var name = type.Name;
        if (!schemas.ContainsKey(name))
        {
            var schema = JsonSchemaExporter.GetJsonSchemaAsNode(FunctionJson.Options, type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
            schemas[name] = schema;
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }
}
