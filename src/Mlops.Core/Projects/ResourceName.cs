using System.Text.RegularExpressions;
using Mlops.Core.Errors;

namespace Mlops.Core.Projects;

/// <summary>
/// Names of projects and models. They become blob path segments and table keys, so the rule is strict:
/// <c>^[a-z0-9][a-z0-9-]{1,62}$</c>. Anything else is rejected before it can reach storage.
/// </summary>
public static partial class ResourceName
{
    /// <summary>The pattern every project and model name matches.</summary>
    public const string Pattern = "^[a-z0-9][a-z0-9-]{1,62}$";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    /// <summary>True when <paramref name="name"/> is a valid project or model name.</summary>
    public static bool IsValid(string? name) => name is not null && NameRegex().IsMatch(name);

    /// <summary>Returns <paramref name="name"/> or throws a 400 naming <paramref name="field"/>.</summary>
    public static string Require(string? name, string field)
    {
        if (!IsValid(name))
        {
            throw MlopsException.Invalid(field, "pattern",
                $"'{field}' must be 2-63 characters of lower-case letters, digits and '-', starting with a letter or digit (pattern {Pattern}).");
        }

        return name!;
    }
}
