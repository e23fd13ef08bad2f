using System.Text.Json.Nodes;

namespace Mlops.Infra.Tests;

/// <summary>
/// A compiled ARM template, with the resources of every module (nested deployment) flattened into
/// one list so assertions can find a resource by type wherever Bicep put it.
/// </summary>
internal sealed class ArmTemplate
{
    private ArmTemplate(JsonObject root)
    {
        Root = root;
        Resources = Flatten(root, deploymentName: null).ToList();
    }

    /// <summary>The main template.</summary>
    public JsonObject Root { get; }

    /// <summary>Every resource, including those inside module templates.</summary>
    public IReadOnlyList<ArmResource> Resources { get; }

    public static ArmTemplate Parse(string json) =>
        new(JsonNode.Parse(json)?.AsObject() ?? throw new InvalidOperationException("The compiled template is not a JSON object."));

    /// <summary>The one resource of a type; fails if there are none or several.</summary>
    public ArmResource Single(string type)
    {
        var matches = Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(matches.Count == 1, $"expected one {type}, found {matches.Count}");
        return matches[0];
    }

    /// <summary>All resources of a type.</summary>
    public IReadOnlyList<ArmResource> All(string type) =>
        Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The module (nested deployment) of this name in the main template.</summary>
    public JsonObject Module(string name) =>
        ResourceNodes(Root).Select(r => r!.AsObject())
            .Single(r => (string?)r["type"] == "Microsoft.Resources/deployments" && (string?)r["name"] == name);

    // Templates that use symbolic names (languageVersion 2.0, e.g. a module with an `existing`
    // resource) hold resources in an object keyed by symbol instead of an array.
    private static IEnumerable<JsonNode?> ResourceNodes(JsonObject template) => template["resources"] switch
    {
        JsonArray array => array,
        JsonObject byName => byName.Select(p => p.Value),
        _ => [],
    };

    private static IEnumerable<ArmResource> Flatten(JsonObject template, string? deploymentName)
    {
        foreach (var node in ResourceNodes(template))
        {
            var resource = node!.AsObject();
            var type = (string)resource["type"]!;
            if (type == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject inner)
            {
                foreach (var nested in Flatten(inner, (string?)resource["name"]))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return new ArmResource(type, resource, template, deploymentName);
            }
        }
    }
}

/// <summary>One resource, with the template (module) it sits in.</summary>
internal sealed record ArmResource(string Type, JsonObject Json, JsonObject Template, string? Module)
{
    public JsonNode? Properties => Json["properties"];

    /// <summary>The value of a module variable, e.g. a role definition id.</summary>
    public JsonNode? Variable(string name) => Template["variables"]?[name];
}
