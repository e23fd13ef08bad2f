using Mlops.Core.Errors;

namespace Mlops.Functions.Hosting;

/// <summary>
/// RFC 7807 problem details: the one place where error codes become HTTP statuses. Every client error names the
/// field and the rule in <c>errors</c>, and never echoes submitted values.
/// </summary>
public static class Problems
{
    /// <summary>The media type of every error response.</summary>
    public const string MediaType = "application/problem+json";

    private static readonly Dictionary<ErrorCode, (int Status, string Title)> Table = new()
    {
        [ErrorCode.InvalidInput] = (400, "The request breaks a rule"),
        [ErrorCode.NotFound] = (404, "Not found"),
        [ErrorCode.Conflict] = (409, "Conflict"),
        [ErrorCode.TooLarge] = (413, "Payload too large"),
        [ErrorCode.Rejected] = (422, "Rejected by a quality gate"),
        [ErrorCode.Internal] = (500, "Internal error"),
    };

    /// <summary>The HTTP status of an error code.</summary>
    public static int StatusOf(ErrorCode code) => Table[code].Status;

    /// <summary>A problem-details response for a domain error.</summary>
    public static HttpResponseData From(MlopsException error, string? instance = null)
    {
        var (status, title) = Table[error.Code];
        return Create(status, title, error.Message, instance, error.Code.ToString(), error.Violations);
    }

    /// <summary>A problem-details response built from parts.</summary>
    public static HttpResponseData Create(int status, string title, string detail, string? instance = null, string? code = null,
        IReadOnlyList<RuleViolation>? errors = null)
    {
        var body = new ProblemDocument(
            Type: "urn:mlops:problem:" + KebabCase(code ?? title),
            Title: title,
            Status: status,
            Detail: detail,
            Instance: instance,
            Errors: errors is { Count: > 0 } ? errors.Select(e => new ProblemError(e.Field, e.Rule, e.Message)).ToList() : null);
        var response = HttpResponseData.Json(body, status);
        response.Headers["Content-Type"] = MediaType;
        return response;
    }

    private static string KebabCase(string s) =>
        string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))
            .Replace(' ', '-');

    /// <summary>The JSON body (RFC 7807 members plus <c>errors</c>).</summary>
    public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string? Instance, IReadOnlyList<ProblemError>? Errors);

    /// <summary>One broken rule.</summary>
    public sealed record ProblemError(string Field, string Rule, string Message);
}
