using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.FunctionApp.Hosting;

/// <summary>
/// Builds the OpenAPI 3.1 document from the functions themselves: every method with <c>[Function]</c>,
/// <c>[HttpTrigger]</c> and <see cref="ApiOperationAttribute"/> in the app's assembly; schemas come from the C# types.
/// </summary>
internal static partial class OpenApiDocumentBuilder
{
    private const string RoutePrefix = "api";

    [GeneratedRegex(@"\{([^}:?]+)(:[^}?]+)?(\?)?\}")]
    private static partial Regex RouteToken();

    public static string Build(Assembly assembly, string version)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        var operations =
            from type in assembly.GetTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            let function = method.GetCustomAttribute<FunctionAttribute>()
            let doc = method.GetCustomAttribute<ApiOperationAttribute>()
            let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
            where function is not null && doc is not null && trigger is not null
            orderby trigger.Route ?? "" ascending
            select (Name: function.Name, Trigger: trigger, Doc: doc);

        foreach (var (name, trigger, doc) in operations)
        {
            var route = trigger.Route ?? name;
            var path = "/" + RoutePrefix + "/" + RouteToken().Replace(route, m => "{" + m.Groups[1].Value + "}");
            var item = paths[path] as JsonObject ?? new JsonObject();
            paths[path] = item;
            foreach (var method in trigger.Methods ?? [])
            {
                item[method.ToLowerInvariant()] = Operation(name, route, doc, schemas);
            }
        }

        schemas["ProblemDetails"] = SchemaOf(typeof(ProblemDocument));
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

    private static JsonObject Operation(string name, string route, ApiOperationAttribute doc, JsonObject schemas)
    {
        var op = new JsonObject { ["operationId"] = name, ["summary"] = doc.Summary, ["tags"] = new JsonArray(doc.Tag) };
        if (doc.Description is not null)
        {
            op["description"] = doc.Description;
        }

        var parameters = new JsonArray();
        foreach (Match m in RouteToken().Matches(route))
        {
            var isInt = m.Groups[2].Value.Contains("int", StringComparison.Ordinal);
            parameters.Add(new JsonObject
            {
                ["name"] = m.Groups[1].Value,
                ["in"] = "path",
                ["required"] = true,
                ["schema"] = isInt
                    ? new JsonObject { ["type"] = "integer", ["minimum"] = 1 }
                    : new JsonObject { ["type"] = "string", ["pattern"] = ResourceName.Pattern },
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

        var success = new JsonObject { ["description"] = "Success" };
        if (doc.Response is not null)
        {
            success["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = SchemaRef(doc.Response, schemas) } };
        }

        var responses = new JsonObject { [doc.SuccessStatus.ToString(CultureInfo.InvariantCulture)] = success };
        foreach (var status in doc.ErrorStatuses)
        {
            responses[status.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = "Problem details",
                ["content"] = new JsonObject
                {
                    [ProblemDocument.MediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } },
                },
            };
        }

        op["responses"] = responses;
        return op;
    }

    private static JsonObject SchemaRef(Type type, JsonObject schemas)
    {
        if (!schemas.ContainsKey(type.Name))
        {
            schemas[type.Name] = SchemaOf(type);
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + type.Name };
    }

    private static JsonNode SchemaOf(Type type) =>
        JsonSchemaExporter.GetJsonSchemaAsNode(ApiJson.Options, type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
}
