using System.Globalization;
using System.Text.Json;
using Mlops.Monitoring.Accumulators;

namespace Mlops.Monitoring;

/// <summary>
/// The logged inputs of one model over one window, counted against the model's training profile in bounded
/// memory. Add rows (or whole columns), merge windows counted by other workers, save and resume the state, and
/// <see cref="Evaluate"/> into a <see cref="DriftReport"/>. Create one with <see cref="DriftDetector.Create(Core.Data.DatasetProfile, IReadOnlyList{string}, DriftThresholds)"/>.
/// Not thread-safe: count in parallel with one window per worker, then <see cref="Merge"/>.
/// </summary>
public sealed class DriftWindow
{
    private readonly string[] _features;
    private readonly Dictionary<string, NumericAccumulator> _numeric;
    private readonly Dictionary<string, CategoricalAccumulator> _categorical;
    private readonly long _referenceRows;

    internal DriftWindow(string fingerprint, string[] features, long referenceRows, DriftThresholds thresholds,
        Dictionary<string, NumericAccumulator> numeric, Dictionary<string, CategoricalAccumulator> categorical)
    {
        Fingerprint = fingerprint;
        _features = features;
        _referenceRows = referenceRows;
        Thresholds = thresholds;
        _numeric = numeric;
        _categorical = categorical;
    }

    /// <summary>The features compared, in report order.</summary>
    public IReadOnlyList<string> Features => _features;

    /// <summary>The thresholds <see cref="Evaluate"/> applies.</summary>
    public DriftThresholds Thresholds { get; }

    /// <summary>Rows seen: the largest per-feature count, missing values included.</summary>
    public long Rows =>
        Math.Max(_numeric.Values.Select(a => a.Count + a.Missing).DefaultIfEmpty(0).Max(),
                 _categorical.Values.Select(a => a.Count + a.Missing).DefaultIfEmpty(0).Max());

    internal string Fingerprint { get; }

    internal NumericAccumulator NumericFeature(string name) => _numeric[name];

    internal CategoricalAccumulator CategoricalFeature(string name) => _categorical[name];

    /// <summary>
    /// Adds one logged input row. A feature absent from the row, JSON null, or a value of the wrong type counts as
    /// missing. Numeric features take JSON numbers or numeric strings (invariant culture); categorical features take
    /// strings, booleans ("true"/"false") and numbers (their JSON text). Other keys are ignored.
    /// </summary>
    public void Add(IReadOnlyDictionary<string, JsonElement> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        foreach (var (name, accumulator) in _numeric)
        {
            if (row.TryGetValue(name, out var value) && TryReadNumber(value, out var number))
            {
                accumulator.Add(number);
            }
            else
            {
                accumulator.AddMissing();
            }
        }

        foreach (var (name, accumulator) in _categorical)
        {
            accumulator.Add(row.TryGetValue(name, out var value) ? ReadCategory(value) : null);
        }
    }

    /// <summary>Adds a column of values of numeric feature <paramref name="feature"/> (NaN = missing). The fast path for bulk logs.</summary>
    public void AddNumeric(string feature, ReadOnlySpan<double> values)
    {
        if (!_numeric.TryGetValue(feature, out var accumulator))
        {
            throw new ArgumentException($"'{feature}' is not a numeric feature of this window (numeric features: {string.Join(", ", _numeric.Keys)}).", nameof(feature));
        }

        accumulator.AddRange(values);
    }

    /// <summary>Adds a column of values of categorical feature <paramref name="feature"/> (null = missing).</summary>
    public void AddCategorical(string feature, IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!_categorical.TryGetValue(feature, out var accumulator))
        {
            throw new ArgumentException($"'{feature}' is not a categorical feature of this window (categorical features: {string.Join(", ", _categorical.Keys)}).", nameof(feature));
        }

        foreach (var value in values)
        {
            accumulator.Add(value);
        }
    }

    /// <summary>Folds <paramref name="other"/> (same reference, same features) into this window; <paramref name="other"/> is unchanged.</summary>
    public void Merge(DriftWindow other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Fingerprint != Fingerprint)
        {
            throw new ArgumentException("Cannot merge drift windows counted against different reference profiles or feature lists.", nameof(other));
        }

        foreach (var (name, accumulator) in _numeric)
        {
            accumulator.Merge(other._numeric[name]);
        }

        foreach (var (name, accumulator) in _categorical)
        {
            accumulator.Merge(other._categorical[name]);
        }
    }

    /// <summary>The counts so far, as a JSON-serialisable record (see <see cref="DriftDetector.Resume"/>).</summary>
    public DriftWindowState ToState() => new()
    {
        ReferenceFingerprint = Fingerprint,
        Numeric = _numeric.ToDictionary(p => p.Key, p => p.Value.ToState(), StringComparer.Ordinal),
        Categorical = _categorical.ToDictionary(p => p.Key, p => p.Value.ToState(), StringComparer.Ordinal),
    };

    /// <summary>Compares the window with the reference: per-feature figures and verdicts, and the overall verdict.</summary>
    public DriftReport Evaluate(string modelName, int modelVersion, DateTimeOffset windowStart, DateTimeOffset windowEnd)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        var features = _features
            .Select(name => _numeric.TryGetValue(name, out var n)
                ? FeatureEvaluator.Numeric(n, Thresholds)
                : FeatureEvaluator.Categorical(_categorical[name], Thresholds))
            .ToList();
        var drifted = features.Where(f => f.Verdict == DriftVerdict.Drift).Select(f => f.Name).ToList();
        var verdict = drifted.Count > 0 ? DriftVerdict.Drift
            : features.All(f => f.Verdict == DriftVerdict.NotEnoughData) ? DriftVerdict.NotEnoughData
            : DriftVerdict.NoDrift;
        return new DriftReport
        {
            ModelName = modelName,
            ModelVersion = modelVersion,
            WindowStart = windowStart,
            WindowEnd = windowEnd,
            ReferenceRows = _referenceRows,
            CurrentRows = Rows,
            Verdict = verdict,
            DriftedFeatures = drifted,
            Thresholds = Thresholds,
            Features = features,
        };
    }

    private static bool TryReadNumber(JsonElement value, out double number)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetDouble(out number);
            case JsonValueKind.String:
                return double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
            default:
                number = double.NaN;
                return false;
        }
    }

    private static string? ReadCategory(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };
}
