namespace Mlops.Core.Errors;

/// <summary>
/// An RFC 7807 problem details body, and the one table where error codes become HTTP statuses. Every client error
/// names the field and the rule in <see cref="Errors"/>, and never echoes submitted values.
/// </summary>
/// <param name="Type">A URN naming the error code.</param>
/// <param name="Title">The status's short title.</param>
/// <param name="Status">The HTTP status.</param>
/// <param name="Detail">What went wrong, naming the ids involved.</param>
/// <param name="Instance">The request path, when known.</param>
/// <param name="Errors">The broken rules, when the error names fields.</param>
public sealed record ProblemDocument(string Type, string Title, int Status, string Detail, string? Instance, IReadOnlyList<ProblemError>? Errors)
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

    /// <summary>The problem document of a domain error.</summary>
    public static ProblemDocument From(MlopsException error, string? instance = null)
    {
        var (status, title) = Table[error.Code];
        return Create(status, title, error.Message, instance, error.Code.ToString(), error.Violations);
    }

    /// <summary>A problem document built from parts.</summary>
    public static ProblemDocument Create(int status, string title, string detail, string? instance = null, string? code = null,
        IReadOnlyList<RuleViolation>? errors = null) =>
        new("urn:mlops:problem:" + KebabCase(code ?? title), title, status, detail, instance,
            errors is { Count: > 0 } ? errors.Select(e => new ProblemError(e.Field, e.Rule, e.Message)).ToList() : null);

    private static string KebabCase(string s) =>
        string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))
            .Replace(' ', '-');
}

/// <summary>One broken rule of a <see cref="ProblemDocument"/>.</summary>
/// <param name="Field">The field (JSON path or column).</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Message">What the rule says.</param>
public sealed record ProblemError(string Field, string Rule, string Message);
