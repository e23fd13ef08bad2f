namespace Mlops.FunctionApp.Hosting;

/// <summary>
/// Describes an HTTP function for the OpenAPI document. Route and methods come from its <c>[HttpTrigger]</c>; this adds
/// what a reader needs: summary, body and response types, statuses.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class ApiOperationAttribute(string summary) : Attribute
{
    public string Summary { get; } = summary;

    public string? Description { get; init; }

    public string Tag { get; init; } = "Meta";

    public Type? RequestBody { get; init; }

    public string[] RequestMediaTypes { get; init; } = [];

    public Type? Response { get; init; }

    public int SuccessStatus { get; init; } = 200;

    public int[] ErrorStatuses { get; init; } = [400, 404];
}
