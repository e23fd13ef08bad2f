using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Catalog.Internal;

/// <summary>Every table, container and key shape of the catalog in one place (README "Storage layout" mirrors it).</summary>
internal static partial class CatalogLayout
{
    public const string ProjectsTable = "projects";
    public const string DatasetsTable = "datasets";
    public const string RunsTable = "runs";
    public const string ProjectRunsTable = "projectruns";
    public const string ModelsTable = "models";
    public const string FeedbackTable = "feedback";
    public const string DriftTable = "drift";

    public const string DatasetsContainer = "datasets";
    public const string QuarantineContainer = "quarantine";
    public const string ModelsContainer = "models";
    public const string PredictionsContainer = "predictions";
    public const string ReportsContainer = "reports";

    /// <summary>The counter row of a partition that allocates numbers (spec versions, dataset versions, model versions).</summary>
    public const string CounterRow = "counter";

    /// <summary>Row keys that sort newest first: a larger number gives a smaller key.</summary>
    public static string Descending(long number) => (9_999_999_999L - number).ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>Row keys that sort newest first by time.</summary>
    public static string DescendingTime(DateTimeOffset time) => (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);

    public static string Ascending(long number) => number.ToString("D10", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();

    [GeneratedRegex("^[a-f0-9]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Regex();

    /// <summary>Ids (run ids, stage and candidate names, prediction ids, report ids) become keys and blob paths: letters, digits, '.', '_', ':', '-'.</summary>
    public static string RequireId(string? id, string field)
    {
        if (id is null || !IdRegex().IsMatch(id))
        {
            throw MlopsException.Invalid(field, "pattern", $"'{field}' must be 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
        }

        return id;
    }

    /// <summary>A lower-case hex SHA-256.</summary>
    public static string RequireSha256(string? sha, string field)
    {
        if (sha is null || !Sha256Regex().IsMatch(sha))
        {
            throw MlopsException.Invalid(field, "pattern", $"'{field}' must be a SHA-256 as 64 lower-case hex digits.");
        }

        return sha;
    }

    public static string RequireName(string? name, string field) => ResourceName.Require(name, field);
}
