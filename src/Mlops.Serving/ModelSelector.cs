using System.Globalization;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Projects;

namespace Mlops.Serving;

/// <summary>Which version of a model answers: a pinned version number or an alias such as <c>production</c>.</summary>
public readonly record struct ModelSelector
{
    private ModelSelector(int? version, string? alias)
    {
        Version = version;
        Alias = alias;
    }

    /// <summary>The pinned version, or null for an alias.</summary>
    public int? Version { get; }

    /// <summary>The alias, or null for a pinned version.</summary>
    public string? Alias { get; }

    /// <summary>The <c>production</c> alias.</summary>
    public static ModelSelector Production { get; } = new(null, ModelRegistry.ProductionAlias);

    /// <summary>A pinned version (≥ 1).</summary>
    public static ModelSelector ForVersion(int version) =>
        version >= 1 ? new(version, null) : throw MlopsException.Invalid("version", "range", "'version' must be a positive integer.");

    /// <summary>An alias (same naming rule as models).</summary>
    public static ModelSelector ForAlias(string alias) => new(null, ResourceName.Require(alias, "alias"));

    /// <summary>Digits are a version number; anything else is an alias name.</summary>
    public static ModelSelector Parse(string aliasOrVersion)
    {
        ArgumentNullException.ThrowIfNull(aliasOrVersion);
        return aliasOrVersion.Length > 0 && aliasOrVersion.All(char.IsAsciiDigit)
            ? int.TryParse(aliasOrVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? ForVersion(v)
                : throw MlopsException.Invalid("version", "range", "'version' is too large.")
            : ForAlias(aliasOrVersion);
    }

    /// <inheritdoc />
    public override string ToString() => Version is { } v ? v.ToString(CultureInfo.InvariantCulture) : Alias ?? "";
}
