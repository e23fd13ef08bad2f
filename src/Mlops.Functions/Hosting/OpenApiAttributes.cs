namespace Mlops.Functions.Hosting;

/// <summary>
/// Describes an HTTP function for the OpenAPI document. Route, method and parameters come from the
/// <see cref="HttpTriggerAttribute"/>; this adds what a reader needs: summary, body and response types.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ApiOperationAttribute(string summary) : Attribute
{
    /// <summary>One line: what the operation does.</summary>
    public string Summary { get; } = summary;

    /// <summary>Longer description (Markdown).</summary>
    public string? Description { get; init; }

    /// <summary>Tag grouping the operation (Projects, Datasets, Runs, Models, Serving, Monitoring, Meta).</summary>
    public string Tag { get; init; } = "Meta";

    /// <summary>The JSON request body type, if any.</summary>
    public Type? RequestBody { get; init; }

    /// <summary>Extra request media types accepted besides JSON (e.g. <c>text/csv</c>).</summary>
    public string[] RequestMediaTypes { get; init; } = [];

    /// <summary>The success response body type, if any.</summary>
    public Type? Response { get; init; }

    /// <summary>The success status code.</summary>
    public int SuccessStatus { get; init; } = 200;

    /// <summary>Error statuses the operation can answer (problem details).</summary>
    public int[] ErrorStatuses { get; init; } = [400, 404];
}
