namespace Mlops.Core.Errors;

/// <summary>The closed set of error kinds the platform reports. The Functions app maps each to one HTTP status in one table.</summary>
public enum ErrorCode
{
    /// <summary>The caller sent something that breaks a rule (400).</summary>
    InvalidInput,
    /// <summary>The named resource does not exist (404).</summary>
    NotFound,
    /// <summary>The resource changed under the caller or already exists (409).</summary>
    Conflict,
    /// <summary>The payload is over a size limit (413).</summary>
    TooLarge,
    /// <summary>A dataset or model failed a quality gate (422).</summary>
    Rejected,
    /// <summary>A bug or an unexpected state on our side (500).</summary>
    Internal,
}

/// <summary>One rule that an input broke: which field, which rule, and a message saying what to do.</summary>
/// <param name="Field">A JSON-pointer-like path to the offending field, e.g. <c>retrain.cooldownMinutes</c> or <c>temp_max</c>.</param>
/// <param name="Rule">A short stable rule id, e.g. <c>required</c>, <c>type</c>, <c>range</c>, <c>pattern</c>.</param>
/// <param name="Message">A sentence for a person. Never echoes submitted values.</param>
public sealed record RuleViolation(string Field, string Rule, string Message);

/// <summary>The one exception type of the platform's domain. Carries an <see cref="ErrorCode"/> and, for bad input, the broken rules.</summary>
public sealed class MlopsException : Exception
{
    /// <summary>Creates an error of the given kind.</summary>
    public MlopsException(ErrorCode code, string message, IReadOnlyList<RuleViolation>? violations = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Violations = violations ?? [];
    }

    /// <summary>What kind of error this is.</summary>
    public ErrorCode Code { get; }

    /// <summary>The rules the input broke, empty unless <see cref="Code"/> is <see cref="ErrorCode.InvalidInput"/> or <see cref="ErrorCode.Rejected"/>.</summary>
    public IReadOnlyList<RuleViolation> Violations { get; }

    /// <summary>A 400 for one broken rule.</summary>
    public static MlopsException Invalid(string field, string rule, string message) =>
        new(ErrorCode.InvalidInput, message, [new RuleViolation(field, rule, message)]);

    /// <summary>A 400 for several broken rules.</summary>
    public static MlopsException Invalid(IReadOnlyList<RuleViolation> violations) =>
        new(ErrorCode.InvalidInput, violations.Count == 1 ? violations[0].Message : $"{violations.Count} rules were broken; see the list.", violations);

    /// <summary>A 404 naming what was looked for.</summary>
    public static MlopsException NotFound(string what) => new(ErrorCode.NotFound, what);
}
