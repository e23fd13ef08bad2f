using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Mlops.WorkerHost.Configuration;

namespace Mlops.WorkerHost.Http;

/// <summary>Maps every httpTrigger function to an ASP.NET Core route: <c>routePrefix/route</c> (route default = function name), methods.</summary>
internal static class HttpFunctionEndpoints
{
    /// <summary>The route template of a function (constraints, optional and catch-all parameters are ASP.NET Core's own).</summary>
    public static string Template(string routePrefix, FunctionDefinition function)
    {
        var route = function.Trigger!.Get("route") is { Length: > 0 } r ? r.Trim('/') : function.Name;
        return routePrefix.Length == 0 ? route : $"{routePrefix}/{route}";
    }

    public static IReadOnlyList<string> Methods(FunctionDefinition function) =>
        function.Trigger!.Node("methods") is System.Text.Json.Nodes.JsonArray a
            ? a.Select(m => m!.ToString().ToUpperInvariant()).ToList()
            : [];

    public static void Map(IEndpointRouteBuilder endpoints, string routePrefix, IEnumerable<FunctionDefinition> functions, HttpFunctionHandler handler)
    {
        foreach (var function in functions.Where(f => f.HasTrigger("httpTrigger")))
        {
            var template = Template(routePrefix, function);
            var methods = Methods(function);
            var f = function;
            var builder = methods.Count == 0
                ? endpoints.Map(template, context => handler.HandleAsync(context, f))
                : endpoints.MapMethods(template, methods, context => handler.HandleAsync(context, f));
            builder.WithDisplayName("Functions." + function.Name);
        }
    }
}
