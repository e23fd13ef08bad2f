namespace Mlops.Data;

/// <summary>The stable ids of the dataset validation rules (README.md has the table with severities).</summary>
public static class DataRules
{
    /// <summary>No bytes, only whitespace, no header, or an empty JSON array. Error.</summary>
    public const string EmptyFile = "empty-file";
    /// <summary>Not UTF-8, or binary (a NUL byte). Error.</summary>
    public const string BadEncoding = "bad-encoding";
    /// <summary>The format hint names no supported format. Error.</summary>
    public const string UnsupportedFormat = "unsupported-format";
    /// <summary>The file breaks its format's syntax: truncated JSON, unbalanced CSV quotes, a Parquet file with a bad footer. Error.</summary>
    public const string MalformedFile = "malformed-file";
    /// <summary>JSON that is not an array of flat objects (or lines of them); nested values; Parquet nested or repeated columns. Error.</summary>
    public const string WrongShape = "wrong-shape";
    /// <summary>A header is empty or blank. Error.</summary>
    public const string EmptyHeader = "empty-header";
    /// <summary>Two columns have the same header. Error.</summary>
    public const string DuplicateHeader = "duplicate-header";
    /// <summary>A row has more or fewer fields than the header (JSON: a key the first row lacks). Error.</summary>
    public const string RaggedRow = "ragged-row";
    /// <summary>The spec's target column is absent. Error.</summary>
    public const string MissingTarget = "missing-target";
    /// <summary>Target values are missing: error when every row lacks one, warning otherwise (those rows cannot train).</summary>
    public const string EmptyTarget = "empty-target";
    /// <summary>A column's kind differs from the previous version's, or a regression target is not numeric. Error.</summary>
    public const string TypeMismatch = "type-mismatch";
    /// <summary>A numeric column holds values that are not invariant-culture finite numbers. Error.</summary>
    public const string UnparseableNumber = "unparseable-number";
    /// <summary>A used column (target or feature) is missing in more than the allowed fraction of rows. Error.</summary>
    public const string NullFraction = "null-fraction";
    /// <summary>A column the previous version did not have. Warning.</summary>
    public const string UnseenColumn = "unseen-column";
    /// <summary>A column the spec names as a feature, or a used column of the previous version, is absent. Error.</summary>
    public const string MissingColumn = "missing-column";
    /// <summary>Fewer data rows than the minimum. Error.</summary>
    public const string TooFewRows = "too-few-rows";
    /// <summary>A binary target with other than two distinct values. Error.</summary>
    public const string TargetClasses = "target-classes";

    /// <summary>The severity of each rule (<see cref="EmptyTarget"/> is an error only when no row has a target).</summary>
    public static RuleSeverity SeverityOf(string rule) => rule is UnseenColumn ? RuleSeverity.Warning : RuleSeverity.Error;
}
