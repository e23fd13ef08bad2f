using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Modeling.Featurization;

namespace Mlops.Modeling.Evaluation;

/// <summary>
/// The rows a model was trained on, as fingerprints: SHA-256 (first 16 bytes, hex) of each row's values, columns in
/// ordinal name order, so the same row hashes alike in any later assembly of the dataset with the same columns. Stored
/// beside each model (<see cref="FileName"/>) so the promotion gate can leave out rows the champion has seen.
/// A wire contract: the format version names the hashing rule.
/// </summary>
public sealed record TrainingRows
{
    /// <summary>The artifact name in the registry.</summary>
    public const string FileName = "training-rows.json";

    /// <summary>Format version (1: sha256/128 of the row's canonical text).</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>One fingerprint per training row, sorted.</summary>
    public required IReadOnlyList<string> Rows { get; init; }

    /// <summary>The fingerprints of <paramref name="rows"/> of <paramref name="table"/>.</summary>
    public static TrainingRows Of(DataTable table, IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new TrainingRows { Rows = rows.Select(r => Fingerprint(table, r)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList() };
    }

    /// <summary>The fingerprint of one row.</summary>
    public static string Fingerprint(DataTable table, int row)
    {
        ArgumentNullException.ThrowIfNull(table);
        var text = new StringBuilder();
        foreach (var column in table.Columns.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            // Unit separator between name and value, record separator between columns: neither occurs in CSV data.
            text.Append(column.Name).Append('\u001f').Append(column switch
            {
                NumericColumn n => double.IsNaN(n.Values[row]) ? "" : n.Values[row].ToString("R", CultureInfo.InvariantCulture),
                BooleanColumn b => b.Values[row] is { } v ? (v ? "true" : "false") : "",
                StringColumn s => s.Values[row] ?? "",
                _ => "",
            }).Append('\u001e');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    /// <summary>The document as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ModelingJson.Options);

    /// <summary>Reads a stored document.</summary>
    public static TrainingRows FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingRows>(json, ModelingJson.Options) ?? throw new ArgumentException("Empty training-rows document.", nameof(json));
}

/// <summary>
/// The rows on which champion and challenger can be compared fairly: the challenger's holdout (which the challenger never
/// trained on) minus every row the champion trained on. Datasets accumulate, so last run's training rows can sit in this
/// run's holdout; scoring the champion on them would flatter it.
/// </summary>
public static class FairHoldout
{
    /// <summary>Indices into <paramref name="holdout"/> of the rows whose fingerprint is not in <paramref name="championRows"/>.</summary>
    public static IReadOnlyList<int> Select(DataTable holdout, TrainingRows championRows)
    {
        ArgumentNullException.ThrowIfNull(holdout);
        ArgumentNullException.ThrowIfNull(championRows);
        var seen = championRows.Rows.ToHashSet(StringComparer.Ordinal);
        return Enumerable.Range(0, holdout.RowCount).Where(r => !seen.Contains(TrainingRows.Fingerprint(holdout, r))).ToList();
    }
}
