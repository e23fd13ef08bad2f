using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Monitoring.Accumulators;

namespace Mlops.Monitoring;

/// <summary>The entry point of drift detection: opens (or resumes) a <see cref="DriftWindow"/> against a training profile.</summary>
public static class DriftDetector
{
    /// <summary>Capacity of each numeric feature's window reservoir: the same size as the profile's reference sample.</summary>
    public const int ReservoirCapacity = 2_000;

    /// <summary>
    /// An empty window comparing <paramref name="featureNames"/> of logged inputs with <paramref name="reference"/>.
    /// Each feature must have a numeric or categorical profile.
    /// </summary>
    /// <exception cref="ArgumentException">A feature is missing from the profile, repeated, or has neither profile (a date or text column).</exception>
    public static DriftWindow Create(DatasetProfile reference, IReadOnlyList<string> featureNames, DriftThresholds thresholds) =>
        Build(reference, featureNames, thresholds, state: null);

    /// <summary>As <see cref="Create(DatasetProfile, IReadOnlyList{string}, DriftThresholds)"/> with the project spec's thresholds and the monitoring defaults.</summary>
    public static DriftWindow Create(DatasetProfile reference, IReadOnlyList<string> featureNames, DriftThreshold thresholds) =>
        Build(reference, featureNames, DriftThresholds.From(thresholds), state: null);

    /// <summary>A window holding the counts of <paramref name="state"/>, which must have been saved against the same reference and features.</summary>
    /// <exception cref="ArgumentException">The state was counted against another profile or feature list.</exception>
    public static DriftWindow Resume(DatasetProfile reference, IReadOnlyList<string> featureNames, DriftThresholds thresholds, DriftWindowState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Build(reference, featureNames, thresholds, state);
    }

    private static DriftWindow Build(DatasetProfile reference, IReadOnlyList<string> featureNames, DriftThresholds thresholds, DriftWindowState? state)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (featureNames.Count == 0)
        {
            throw new ArgumentException("At least one feature is needed.", nameof(featureNames));
        }

        if (featureNames.Distinct(StringComparer.Ordinal).Count() != featureNames.Count)
        {
            throw new ArgumentException("Feature names must be unique.", nameof(featureNames));
        }

        var columns = featureNames.Select(name => reference.Find(name)
            ?? throw new ArgumentException($"Feature '{name}' is not a column of the reference profile.", nameof(featureNames))).ToList();
        var fingerprint = Fingerprint(columns);
        if (state is not null && state.ReferenceFingerprint != fingerprint)
        {
            throw new ArgumentException("The saved drift window was counted against another reference profile or feature list.", nameof(state));
        }

        var numeric = new Dictionary<string, NumericAccumulator>(StringComparer.Ordinal);
        var categorical = new Dictionary<string, CategoricalAccumulator>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            if (column.Numeric is { } n)
            {
                var numericReference = new NumericReference(column.Name, column, n);
                var seed = 0x5EED_0000_0000_0000UL + (ulong)i + 1;
                numeric[column.Name] = state is null
                    ? new NumericAccumulator(numericReference, ReservoirCapacity, seed)
                    : NumericAccumulator.FromState(numericReference, ReservoirCapacity, StateOf(state.Numeric, column.Name));
            }
            else if (column.Categorical is { } c)
            {
                var categoricalReference = new CategoricalReference(column.Name, column, c);
                categorical[column.Name] = state is null
                    ? new CategoricalAccumulator(categoricalReference)
                    : CategoricalAccumulator.FromState(categoricalReference, StateOf(state.Categorical, column.Name));
            }
            else
            {
                throw new ArgumentException($"Feature '{column.Name}' ({column.Kind}) has neither a numeric nor a categorical profile, so it cannot be checked for drift.", nameof(featureNames));
            }
        }

        return new DriftWindow(fingerprint, [.. featureNames], reference.RowCount, thresholds, numeric, categorical);
    }

    private static T StateOf<T>(IReadOnlyDictionary<string, T> states, string name) =>
        states.TryGetValue(name, out var s) ? s : throw new ArgumentException($"The saved drift window has no counts for feature '{name}'.", "state");

    private static string Fingerprint(IReadOnlyList<ColumnProfile> columns)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(columns, MonitoringJson.Options);
        var capacity = Encoding.UTF8.GetBytes($"|reservoir={ReservoirCapacity}");
        return Convert.ToHexStringLower(SHA256.HashData([.. json, .. capacity]));
    }
}
