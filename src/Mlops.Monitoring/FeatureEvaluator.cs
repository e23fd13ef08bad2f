using System.Globalization;
using Mlops.Monitoring.Accumulators;
using Mlops.Monitoring.Statistics;

namespace Mlops.Monitoring;

/// <summary>Turns a feature's accumulated counts into figures and a verdict.</summary>
internal static class FeatureEvaluator
{
    private const int UnseenListed = 10;

    public static FeatureDrift Numeric(NumericAccumulator window, DriftThresholds thresholds)
    {
        var reference = window.Reference;
        var profile = reference.Profile;
        var n = window.Count;
        var sampleN = reference.Sample.Length;
        if (n == 0)
        {
            return new FeatureDrift
            {
                Name = reference.Name,
                Kind = FeatureKind.Numeric,
                ReferenceN = reference.ReferenceCount,
                ReferenceSampleN = sampleN,
                CurrentN = 0,
                CurrentMissing = window.Missing,
                Verdict = DriftVerdict.NotEnoughData,
                DecidedBy = "none",
                Reason = $"No values of '{reference.Name}' in the window ({window.Missing} missing).",
            };
        }

        var psi = DistributionDistance.Psi(profile.BinFractions.ToArray(), DistributionDistance.Fractions(BinCounts(window)));
        double? d = null, p = null, w = null, nw = null, wError = null;
        string? method = null;
        if (sampleN > 0)
        {
            d = GridKsStatistic(window);
            p = KolmogorovSmirnov.PValue(d.Value, sampleN, n);
            method = KolmogorovSmirnov.MethodFor(sampleN, n) == KsMethod.Exact ? "exact" : "asymptotic";
            if (window.ReservoirComplete)
            {
                // The reservoir holds every value: compute W₁ exactly.
                var values = window.Reservoir.ToArray();
                Array.Sort(values);
                w = DistributionDistance.Wasserstein(reference.Sample, values);
                wError = 0;
            }
            else
            {
                (w, wError) = GridWasserstein(window);
            }

            nw = profile.Std > 0 && double.IsFinite(profile.Std) ? w / profile.Std : null;
        }

        var small = n <= thresholds.SmallWindowRows && p is not null;
        var sizes = $"current n {n:N0}, reference n {reference.ReferenceCount:N0}" + (sampleN > 0 ? $", reference sample n {sampleN:N0}" : "");
        string reason, decidedBy;
        bool drift;
        if (small)
        {
            decidedBy = "pValue";
            drift = p!.Value < thresholds.KsPValue;
            reason = drift
                ? Format($"KS p-value {p:G4} < {thresholds.KsPValue} (D {d:G4}, {method}) on a small window ({sizes}).")
                : Format($"KS p-value {p:G4} ≥ {thresholds.KsPValue} (D {d:G4}, {method}) on a small window ({sizes}).");
        }
        else
        {
            decidedBy = "effectSize";
            var crossed = new List<string>();
            if (psi > thresholds.Psi)
            {
                crossed.Add(Format($"PSI {psi:G4} > {thresholds.Psi}"));
            }

            if (d > thresholds.KsStatistic)
            {
                crossed.Add(Format($"KS D {d:G4} > {thresholds.KsStatistic}"));
            }

            if (nw > thresholds.NormalizedWasserstein)
            {
                crossed.Add(Format($"normalized Wasserstein {nw:G4} > {thresholds.NormalizedWasserstein}"));
            }

            drift = crossed.Count > 0;
            reason = drift
                ? $"{string.Join("; ", crossed)} ({sizes})."
                : Format($"PSI {psi:G4}, KS D {d:G4}, normalized Wasserstein {nw:G4} within thresholds ({sizes}).");
        }

        return new FeatureDrift
        {
            Name = reference.Name,
            Kind = FeatureKind.Numeric,
            ReferenceN = reference.ReferenceCount,
            ReferenceSampleN = sampleN,
            CurrentN = n,
            CurrentMissing = window.Missing,
            Psi = psi,
            KsStatistic = d,
            KsPValue = p,
            KsMethod = method,
            Wasserstein = w,
            NormalizedWasserstein = nw,
            WassersteinErrorBound = wError,
            CurrentMean = window.Mean,
            ReferenceMean = profile.Mean,
            Verdict = drift ? DriftVerdict.Drift : DriftVerdict.NoDrift,
            DecidedBy = decidedBy,
            Reason = reason,
        };
    }

    public static FeatureDrift Categorical(CategoricalAccumulator window, DriftThresholds thresholds)
    {
        var reference = window.Reference;
        var n = window.Count;
        var unseen = window.OutsideNames.OrderByDescending(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(UnseenListed).Select(x => new CategoryCount(x.Key, x.Value)).ToList();
        if (n == 0)
        {
            return new FeatureDrift
            {
                Name = reference.Name,
                Kind = FeatureKind.Categorical,
                ReferenceN = reference.ReferenceCount,
                CurrentN = 0,
                CurrentMissing = window.Missing,
                UnseenCount = 0,
                UnseenCategories = [],
                Verdict = DriftVerdict.NotEnoughData,
                DecidedBy = "none",
                Reason = $"No values of '{reference.Name}' in the window ({window.Missing} missing).",
            };
        }

        // Buckets: each reference category, then "other" (reference values outside the top list; window values
        // outside the reference list).
        var refCounts = reference.Counts.Append(reference.OtherCount).ToArray();
        var curCounts = window.Counts.ToArray().Append(window.OutsideCount).ToArray();
        var psi = DistributionDistance.Psi(DistributionDistance.Fractions(refCounts), DistributionDistance.Fractions(curCounts));
        var (chi, dof, p) = DistributionDistance.ChiSquareHomogeneity(refCounts, curCounts);
        var sizes = $"current n {n:N0}, reference n {reference.ReferenceCount:N0}";
        var unseenNote = window.OutsideCount > 0 ? $"; {window.OutsideCount:N0} values outside the reference categories" : "";
        string reason, decidedBy;
        bool drift;
        if (n <= thresholds.SmallWindowRows)
        {
            decidedBy = "pValue";
            drift = p < thresholds.KsPValue;
            reason = Format($"Chi-square p-value {p:G4} {(drift ? "<" : "≥")} {thresholds.KsPValue} (χ² {chi:G4}, dof {dof}, PSI {psi:G4}) on a small window ({sizes}{unseenNote}).");
        }
        else
        {
            decidedBy = "effectSize";
            drift = psi > thresholds.Psi;
            reason = Format($"PSI {psi:G4} {(drift ? ">" : "≤")} {thresholds.Psi} (χ² {chi:G4}, dof {dof}, p {p:G4}) ({sizes}{unseenNote}).");
        }

        return new FeatureDrift
        {
            Name = reference.Name,
            Kind = FeatureKind.Categorical,
            ReferenceN = reference.ReferenceCount,
            CurrentN = n,
            CurrentMissing = window.Missing,
            Psi = psi,
            ChiSquare = chi,
            ChiSquarePValue = p,
            Dof = dof,
            UnseenCount = window.OutsideCount,
            UnseenCategories = unseen,
            Verdict = drift ? DriftVerdict.Drift : DriftVerdict.NoDrift,
            DecidedBy = decidedBy,
            Reason = reason,
        };
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Window counts per PSI bin, summed from the grid.</summary>
    internal static long[] BinCounts(NumericAccumulator window)
    {
        var reference = window.Reference;
        var bins = new long[reference.Profile.BinEdges.Count + 1];
        var points = window.PointCounts;
        var cells = window.CellCounts;
        for (var k = 0; k < points.Length; k++)
        {
            bins[reference.BinOfCell[k]] += points[k] + cells[k];
        }

        bins[reference.BinOfCell[points.Length]] += cells[points.Length];
        return bins;
    }

    /// <summary>
    /// sup |F_ref − F_cur| from the grid counts. F_ref is constant on each open cell, F_cur rises through it, so the
    /// largest gap on a cell is at one of its ends: just below the next grid point or at the grid point itself.
    /// Exact for the whole window.
    /// </summary>
    internal static double GridKsStatistic(NumericAccumulator window)
    {
        var cdf = window.Reference.ReferenceCdf;
        var points = window.PointCounts;
        var cells = window.CellCounts;
        double m = window.Count, d = 0;
        long cumulative = 0;
        for (var k = 0; k < points.Length; k++)
        {
            cumulative += cells[k];
            var below = k == 0 ? 0.0 : cdf[k - 1];
            d = Math.Max(d, Math.Abs(cumulative / m - below));
            cumulative += points[k];
            d = Math.Max(d, Math.Abs(cumulative / m - cdf[k]));
        }

        return d;
    }

    /// <summary>
    /// W₁ = ∫|F_cur − F_ref| from the grid: on each open cell F_ref is a constant c and ∫(F_cur − c) is exact from the
    /// cell's count and summed distances, so the cell's share is exact unless F_cur crosses c inside the cell. On
    /// such a crossing cell the part below c is modelled with the cell's values spread evenly; the true share lies between
    /// |∫(F_cur − c)| and max(c − A, B − c)·width, and the returned bound sums those interval widths.
    /// </summary>
    internal static (double Distance, double ErrorBound) GridWasserstein(NumericAccumulator window)
    {
        var reference = window.Reference;
        var grid = reference.Grid;
        var cdf = reference.ReferenceCdf;
        var points = window.PointCounts;
        var cells = window.CellCounts;
        var distances = window.CellDistances;
        var m = (double)window.Count;
        var last = grid.Length;

        // Below the first grid point F_ref = 0 and above the last F_ref = 1: both tails are exact.
        var sum = distances[0] / m + distances[last] / m;
        var error = 0.0;
        long cumulative = cells[0];
        for (var k = 0; k < last; k++)
        {
            cumulative += points[k];
            if (k + 1 == last)
            {
                break;
            }

            var c = cdf[k];
            var width = grid[k + 1] - grid[k];
            var count = cells[k + 1];
            var a = cumulative / m;
            var b = (cumulative + count) / m;
            var signed = (a - c) * width + distances[k + 1] / m;
            if (a >= c || b <= c)
            {
                sum += Math.Abs(signed);
            }
            else
            {
                // ∫|F − c| = ∫(F − c) + 2∫(c − F)⁺: the first term is exact; the second is modelled with the cell's
                // values spread evenly (F rising linearly from a to b), then clamped to the interval the truth lies in.
                var upper = Math.Max(c - a, b - c) * width;
                var estimate = signed + (c - a) * (c - a) * width / (b - a);
                sum += Math.Clamp(estimate, Math.Abs(signed), upper);
                error += upper - Math.Abs(signed);
            }

            cumulative += count;
        }

        return (sum, error);
    }
}
