namespace Mlops.Monitoring.Statistics;

/// <summary>How a two-sample KS p-value was computed.</summary>
public enum KsMethod
{
    /// <summary>The exact null distribution of D for samples of sizes n and m (no ties assumed), like scipy's <c>ks_2samp(method='exact')</c>.</summary>
    Exact,
    /// <summary>The limiting Kolmogorov distribution with Stephens' small-sample correction, Q((√nₑ + 0.12 + 0.11/√nₑ)·D), nₑ = nm/(n+m).</summary>
    Asymptotic,
}

/// <summary>The two-sample Kolmogorov–Smirnov test, two-sided.</summary>
internal static class KolmogorovSmirnov
{
    /// <summary>
    /// The largest sample size for which the exact p-value is computed (scipy's <c>method='auto'</c> uses the same
    /// limit). The exact computation costs O(n·m); beyond the limit the asymptotic form is accurate to ~1e-3.
    /// </summary>
    public const int MaxExactSampleSize = 10_000;

    /// <summary>D = sup |F₁ − F₂| of two samples, each sorted ascending (ties allowed).</summary>
    public static double Statistic(ReadOnlySpan<double> sorted1, ReadOnlySpan<double> sorted2)
    {
        // Walk the merged order; after consuming every copy of the current value both ECDFs are right-continuous
        // at it, which is where scipy's searchsorted(side='right') evaluates them.
        int i = 0, j = 0;
        double n1 = sorted1.Length, n2 = sorted2.Length, d = 0;
        while (i < sorted1.Length && j < sorted2.Length)
        {
            var x = Math.Min(sorted1[i], sorted2[j]);
            while (i < sorted1.Length && sorted1[i] == x)
            {
                i++;
            }

            while (j < sorted2.Length && sorted2[j] == x)
            {
                j++;
            }

            d = Math.Max(d, Math.Abs(i / n1 - j / n2));
        }

        return d;
    }

    /// <summary>The method <see cref="PValue"/> uses for these sample sizes.</summary>
    public static KsMethod MethodFor(long n1, long n2) =>
        Math.Max(n1, n2) <= MaxExactSampleSize ? KsMethod.Exact : KsMethod.Asymptotic;

    /// <summary>P(D ≥ d) under the null for samples of sizes <paramref name="n1"/> and <paramref name="n2"/>.</summary>
    public static double PValue(double d, long n1, long n2) =>
        MethodFor(n1, n2) == KsMethod.Exact ? ExactPValue(d, (int)n1, (int)n2) : AsymptoticPValue(d, n1, n2);

    /// <summary>Limiting Kolmogorov distribution with Stephens' correction (Numerical Recipes' <c>probks</c> argument).</summary>
    public static double AsymptoticPValue(double d, long n1, long n2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n2, 1);
        var en = Math.Sqrt((double)n1 * n2 / ((double)n1 + n2));
        return SpecialFunctions.KolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
    }

    /// <summary>
    /// The exact two-sided p-value P(D ≥ d): the share of the C(n+m, n) equally likely orderings whose lattice path
    /// leaves the band |i/n − j/m| &lt; d. Like scipy, d is first snapped to the lattice (h = round(d·lcm)).
    /// The probability mass that first steps out of the band is summed directly (never 1 − inside), so small
    /// p-values keep their relative accuracy; the walk costs O(n·m) time and O(m) memory.
    /// </summary>
    public static double ExactPValue(double d, int n1, int n2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n2, 1);
        long g = Gcd(n1, n2);
        long n1g = n1 / g, n2g = n2 / g;
        var lcm = n1g * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        if (h <= 0)
        {
            return 1.0;
        }

        var total = n1 + n2;
        var row = new double[n2 + 1];
        var next = new double[n2 + 1];
        row[0] = 1.0;
        var outside = 0.0;
        for (var i = 0; i <= n1; i++)
        {
            Array.Clear(next);
            for (var j = 0; j <= n2; j++)
            {
                var mass = row[j];
                if (mass == 0)
                {
                    continue;
                }

                var remaining = (double)(total - i - j);
                if (remaining == 0)
                {
                    continue;
                }

                if (i < n1)
                {
                    var step = mass * ((n1 - i) / remaining);
                    if (Math.Abs((i + 1) * n2g - j * n1g) >= h)
                    {
                        outside += step;
                    }
                    else
                    {
                        next[j] += step;
                    }
                }

                if (j < n2)
                {
                    var step = mass * ((n2 - j) / remaining);
                    if (Math.Abs(i * n2g - (j + 1) * n1g) >= h)
                    {
                        outside += step;
                    }
                    else
                    {
                        row[j + 1] += step;
                    }
                }
            }

            (row, next) = (next, row);
        }

        return Math.Clamp(outside, 0, 1);
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
