using Mlops.Core.Errors;

namespace Mlops.Functions.Hosting;

/// <summary>RFC 7807 problem-details responses of the custom handler; the status table is <see cref="ProblemDocument"/>'s.</summary>
public static class Problems
{
    /// <summary>The media type of every error response.</summary>
    public const string MediaType = ProblemDocument.MediaType;

    /// <summary>The HTTP status of an error code.</summary>
    public static int StatusOf(ErrorCode code) => ProblemDocument.StatusOf(code);

    /// <summary>A problem-details response for a domain error.</summary>
    public static HttpResponseData From(MlopsException error, string? instance = null) => Respond(ProblemDocument.From(error, instance));

    /// <summary>A problem-details response built from parts.</summary>
    public static HttpResponseData Create(int status, string title, string detail, string? instance = null, string? code = null,
        IReadOnlyList<RuleViolation>? errors = null) => Respond(ProblemDocument.Create(status, title, detail, instance, code, errors));

    private static HttpResponseData Respond(ProblemDocument body)
    {
        var response = HttpResponseData.Json(body, body.Status);
        response.Headers["Content-Type"] = MediaType;
        return response;
    }
}
