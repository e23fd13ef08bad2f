namespace Mlops.Monitoring.Statistics;

/// <summary>
/// The special functions the tests need, written out so their accuracy is known: log-gamma (Lanczos),
/// the regularized incomplete gamma functions (series and Lentz continued fraction, Numerical Recipes §6.2),
/// and the Kolmogorov distribution's survival function.
/// </summary>
internal static class SpecialFunctions
{
    private const double Epsilon = 1e-16;
    private const double Tiny = 1e-300;
    private const int MaxIterations = 100_000;

    // Lanczos approximation, g = 7, n = 9 (the coefficients used by Boost and many others): ~1e-15 relative for x > 0.
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    public static double LogGamma(double x)
    {
        if (x <= 0 || double.IsNaN(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "LogGamma needs x > 0.");
        }

        if (x < 0.5)
        {
            // Reflection keeps the approximation in its accurate range.
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += Lanczos[i] / (x + i);
        }

        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), a &gt; 0, x ≥ 0.</summary>
    public static double GammaQ(double a, double x)
    {
        if (a <= 0 || x < 0 || double.IsNaN(a) || double.IsNaN(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"GammaQ needs a > 0 and x >= 0 (a={a}, x={x}).");
        }

        if (x == 0)
        {
            return 1;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }

        // The series converges fast below a + 1, the continued fraction above it; Q is computed directly in the
        // tail so small p-values keep their relative accuracy.
        return x < a + 1 ? 1 - GammaPSeries(a, x) : GammaQContinuedFraction(a, x);
    }

    /// <summary>The regularized lower incomplete gamma function P(a, x) = 1 − Q(a, x).</summary>
    public static double GammaP(double a, double x) => x < a + 1 ? GammaPSeries(a, x) : 1 - GammaQContinuedFraction(a, x);

    private static double GammaPSeries(double a, double x)
    {
        var ap = a;
        var term = 1.0 / a;
        var sum = term;
        for (var n = 0; n < MaxIterations; n++)
        {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                return sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a));
            }
        }

        throw new InvalidOperationException($"Incomplete gamma series did not converge (a={a}, x={x}).");
    }

    private static double GammaQContinuedFraction(double a, double x)
    {
        // Modified Lentz evaluation of the continued fraction for Γ(a, x).
        var b = x + 1 - a;
        var c = 1 / Tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < Tiny)
            {
                d = Tiny;
            }

            c = b + an / c;
            if (Math.Abs(c) < Tiny)
            {
                c = Tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
            }
        }

        throw new InvalidOperationException($"Incomplete gamma continued fraction did not converge (a={a}, x={x}).");
    }

    /// <summary>Survival function of the chi-square distribution with <paramref name="dof"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double statistic, int dof) =>
        dof <= 0 ? 1.0 : GammaQ(dof / 2.0, Math.Max(0, statistic) / 2.0);

    /// <summary>
    /// Survival function of the limiting Kolmogorov distribution, Q(λ) = P(K &gt; λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²)
    /// (scipy's <c>kstwobign.sf</c>). For small λ the alternating series converges slowly, so the Jacobi-theta
    /// form 1 − √(2π)/λ Σ exp(−(2k−1)²π²/(8λ²)) is used there.
    /// </summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (lambda <= 0)
        {
            return 1;
        }

        if (lambda < 1.0)
        {
            var w = Math.PI * Math.PI / (8 * lambda * lambda);
            var sum = 0.0;
            for (var k = 1; k < 100; k += 2)
            {
                var term = Math.Exp(-k * k * w);
                sum += term;
                if (term < Epsilon * sum)
                {
                    break;
                }
            }

            return 1 - Math.Sqrt(2 * Math.PI) / lambda * sum;
        }

        var total = 0.0;
        var sign = 1.0;
        for (var k = 1; k < 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            total += sign * term;
            if (term < Epsilon * Math.Abs(total))
            {
                break;
            }

            sign = -sign;
        }

        return Math.Clamp(2 * total, 0, 1);
    }
}
