namespace Mlops.Monitoring.Statistics;

/// <summary>PSI, chi-square homogeneity and the 1-Wasserstein distance on counts and samples.</summary>
internal static class DistributionDistance
{
    /// <summary>
    /// Fractions below this are raised to it before PSI's logarithm: an empty bin on either side would otherwise
    /// make PSI infinite. 1e-4 is the customary choice; it caps one empty bin's term at about (p − 1e-4)·ln(p / 1e-4).
    /// </summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>
    /// Population stability index Σ (cᵢ − rᵢ)·ln(cᵢ / rᵢ) of current fractions c against reference fractions r,
    /// each fraction floored at <see cref="PsiEpsilon"/>.
    /// </summary>
    public static double Psi(ReadOnlySpan<double> referenceFractions, ReadOnlySpan<double> currentFractions)
    {
        if (referenceFractions.Length != currentFractions.Length)
        {
            throw new ArgumentException($"PSI needs as many current fractions ({currentFractions.Length}) as reference fractions ({referenceFractions.Length}).", nameof(currentFractions));
        }

        var psi = 0.0;
        for (var i = 0; i < referenceFractions.Length; i++)
        {
            var r = Math.Max(referenceFractions[i], PsiEpsilon);
            var c = Math.Max(currentFractions[i], PsiEpsilon);
            psi += (c - r) * Math.Log(c / r);
        }

        return psi;
    }

    /// <summary>Counts divided by their total (all zeros when the total is zero).</summary>
    public static double[] Fractions(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var fractions = new double[counts.Length];
        if (total == 0)
        {
            return fractions;
        }

        for (var i = 0; i < counts.Length; i++)
        {
            fractions[i] = (double)counts[i] / total;
        }

        return fractions;
    }

    /// <summary>
    /// Pearson's chi-square test of homogeneity on the 2×k table (reference counts, current counts), without Yates'
    /// correction (scipy's <c>chi2_contingency(table, correction=False)</c>). Categories empty in both rows are
    /// dropped; dof = (categories kept − 1). With fewer than two categories the statistic is 0 and p = 1.
    /// </summary>
    public static (double Statistic, int Dof, double PValue) ChiSquareHomogeneity(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Chi-square needs as many current counts ({current.Length}) as reference counts ({reference.Length}).", nameof(current));
        }

        double refTotal = 0, curTotal = 0;
        var kept = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            refTotal += reference[i];
            curTotal += current[i];
            if (reference[i] + current[i] > 0)
            {
                kept++;
            }
        }

        if (kept < 2 || refTotal == 0 || curTotal == 0)
        {
            return (0, Math.Max(0, kept - 1), 1.0);
        }

        var grand = refTotal + curTotal;
        var statistic = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            double column = reference[i] + current[i];
            if (column == 0)
            {
                continue;
            }

            var expectedRef = refTotal * column / grand;
            var expectedCur = curTotal * column / grand;
            statistic += (reference[i] - expectedRef) * (reference[i] - expectedRef) / expectedRef;
            statistic += (current[i] - expectedCur) * (current[i] - expectedCur) / expectedCur;
        }

        var dof = kept - 1;
        return (statistic, dof, SpecialFunctions.ChiSquareSurvival(statistic, dof));
    }

    /// <summary>W₁ = ∫ |F₁ − F₂| dx of two samples, each sorted ascending (scipy's <c>wasserstein_distance</c>).</summary>
    public static double Wasserstein(ReadOnlySpan<double> sorted1, ReadOnlySpan<double> sorted2)
    {
        int i = 0, j = 0;
        double n1 = sorted1.Length, n2 = sorted2.Length, sum = 0;
        var previous = Math.Min(sorted1[0], sorted2[0]);
        while (i < sorted1.Length || j < sorted2.Length)
        {
            var x = Math.Min(i < sorted1.Length ? sorted1[i] : double.PositiveInfinity, j < sorted2.Length ? sorted2[j] : double.PositiveInfinity);
            sum += Math.Abs(i / n1 - j / n2) * (x - previous);
            while (i < sorted1.Length && sorted1[i] == x)
            {
                i++;
            }

            while (j < sorted2.Length && sorted2[j] == x)
            {
                j++;
            }

            previous = x;
        }

        return sum;
    }
}
