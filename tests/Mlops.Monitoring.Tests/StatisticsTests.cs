using Mlops.Monitoring.Statistics;

namespace Mlops.Monitoring.Tests;

/// <summary>
/// The statistics against independent computations. Every expected figure below was printed by scipy 1.10.1 /
/// numpy 1.24.2 (Debian python3-scipy) running tests/Mlops.Monitoring.Tests/scipy_reference.py on this machine,
/// except where a comment says it was worked by hand. Agreement is asked to 1e-9 relative.
/// </summary>
public sealed class StatisticsTests
{
    private const double Relative = 1e-9;

    // The samples scipy_reference.py drew (numpy default_rng(7), rounded) and printed.
    internal static readonly double[] A = [0.0, 0.3, -0.27, -0.89, -0.45, -0.99, 0.06, 1.34, -0.49, -0.62, 0.49, 0.36, 0.11, -0.93, -0.03, 0.7, -1.34, -0.46, -1.9, -1.29, -1.84, -0.24, -1.27, 0.27, 0.16];
    internal static readonly double[] B = [0.38, -2.42, -0.05, 0.54, 0.74, -1.24, 0.03, -0.57, -0.37, 1.87, -0.37, 0.56, 1.66, -0.1, 0.47, 0.73, 0.68, -0.87];
    internal static readonly double[] C = [0.08, 1.36, -1.55, 0.86, 0.12, -0.64, 2.0, 0.76, -1.2, 0.07, 0.58, -0.19, 0.68, -0.07, 0.67, 1.44, -0.68, 0.2, -0.46, 0.13];
    internal static readonly double[] D = [-0.29, 0.32, 0.7, 1.8, 2.05, -0.42, 0.11, 1.55, -1.09, 0.44, 0.8, 2.16, 1.59, 0.57, 0.53, 0.65, 2.42, 0.47, 0.6, 1.25];
    internal static readonly double[] E = [-0.121, -0.197, -1.114, -0.012, -0.444, 1.166, 0.653, -0.024, 0.668, -0.34, 1.052, -0.005, 0.583, -1.291, 0.347, -1.688, -2.035, -0.304, -0.9, 0.164, 2.245, -0.832, -0.624, 0.205, 0.493, -0.176, -0.206, 0.702, 0.52, -1.034, -0.079, 0.035, -1.054, 0.26, -0.858, 0.972, 0.193, 0.089, -0.591, -0.119, -1.998, -1.131, 0.363, -2.129, 0.847, -1.746, 0.757, -0.845, 0.779, 0.131, -1.537, 1.249, 1.442, -0.066, -0.274, -0.16, -0.975, 1.099, -0.543, -0.051, -0.793, -0.626, -1.278, 1.257, -0.154, 0.966, 0.013, -0.694, -0.327, -0.56, 0.008, -0.375, -0.3, -1.379, -0.807, 1.654, -0.671, -1.054, 0.337, 1.407, -1.454, -0.209, -0.632, -1.761, 0.735, -0.023, 0.071, -0.752, 0.455, -0.539, -0.143, -1.108, -1.216, 1.336, -0.507, 0.292, -0.034, -0.441, -0.508, 0.63, -0.302, -0.151, 0.022, 1.177, 0.681, 0.383, -0.564, -1.382, 0.95, 0.966, -0.141, 0.542, 0.781, 0.831, 0.921, -0.456, 1.515, -1.247, 0.862, 0.494, 0.874, 1.879, 1.484, -1.145, -1.689, 0.817, -1.015, -0.012, 0.84, -1.644, -2.11, 0.259, 0.044, -0.246, 0.039, -0.861, -1.513, -0.167, -0.972, -1.643, 0.506, -0.061, 0.407, -0.989, -0.658, -0.999, -0.887, 0.195, -0.783, 0.356, 0.34, 2.025, -1.393, 0.888, -0.089, -0.014, -1.45, -0.46, 0.743, -0.082, 0.081, -0.291, 1.155, -0.021, -2.2, -0.692, -1.969, -3.251, -0.53, 1.334, 0.047, -1.173, -0.941, 1.131, 0.158, 0.048, -0.053, 0.038, 0.805, 0.553, 0.216, -1.043, 0.511, -0.684, 1.094, -1.271, -0.138, -0.007, -1.325, 1.722, 1.46, -0.464, 0.772, 0.379, -2.614, 0.25, -0.061, 0.083, -1.077, -0.269, -0.178, 1.188, 0.334, -0.006, 1.529, -0.555, -0.389, -1.817, 1.569, 0.964, 0.917, 0.669, 0.11, 0.215, -0.252, -0.204, 0.054, 1.512, 0.556, -0.058, -0.579, -0.635, 1.603, 0.507, 0.068, -0.346, -1.109, -0.067, 0.874, -0.393, -0.227, -0.221, 0.11, -1.593, -0.235, -0.854, 0.885, -0.771, 0.577, 1.524, -0.314, -0.602, 0.191, -0.002, -0.994, 0.461, 2.016, -0.258, -0.203, -1.045, 0.319, -1.247, -1.107, 1.28, -0.905, 1.081, 1.524, 0.259, 0.553, 1.952, -0.197, -0.593, -1.353, 0.042, 1.479, 0.96, -0.942, -0.855, -0.504, 0.292, -0.205, 0.214, 0.297, -0.299, -0.04, 0.207, -0.084, 0.504, 1.871, 0.592, 0.056, -1.686, 0.388, -1.947, -1.409, 0.855, 0.706, -0.15, -1.71, -0.371, -0.679, 0.637, 2.258, 0.217, -0.779, -1.171, -0.056, -0.177, -1.152, 0.116];
    internal static readonly double[] F = [-0.901, 1.362, 1.313, 1.335, -0.224, 0.765, 0.118, -0.139, -0.089, -1.05, -1.194, 1.044, 0.059, 0.466, 1.252, -1.483, -0.534, 0.425, 0.642, -0.127, 1.279, 0.46, -0.963, -0.681, 1.055, 0.714, -1.649, 1.598, 0.848, 1.593, -0.134, -0.046, -0.876, 2.787, 0.075, 1.838, -0.397, 0.414, -1.421, -0.133, 1.234, -1.002, 1.322, 0.587, -0.794, -0.252, -0.209, 0.2, -0.286, -0.577, -0.055, -0.777, -1.04, 0.202, 1.133, -1.279, 0.254, -0.4, -0.727, 1.103, -0.268, 1.748, -0.53, 0.637, 0.023, -0.504, 0.838, 0.095, 0.853, 0.203, -0.836, 0.148, 0.302, 1.208, -0.656, 0.211, -1.472, 0.901, -0.831, -1.556, 0.191, 1.356, -1.274, -0.838, -0.493, -0.879, 0.629, -0.557, -0.472, 0.833, -0.506, 0.683, -0.721, -0.962, -1.585, 2.111, -0.07, 0.494, 0.219, 0.41, 0.3, 2.158, -0.789, -1.307, -0.762, -1.085, 0.997, 1.07, -0.711, -1.14, -0.105, 1.641, -2.57, 0.777, -0.826, 1.29, -0.828, -0.035, -1.256, -0.727, 1.636, 1.071, -0.152, -0.62, -1.644, -0.144, 0.219, 0.166, 0.156, -0.872, 0.184, 0.211, 1.541, 2.117, 0.113, -0.516, 0.185, -0.358, -0.492, 0.191, -0.793, 0.856, 0.146, 0.5, 0.067, -0.477, -0.698, 0.013, -0.299, 0.484, 0.246, -1.112, 0.317, -1.093, -0.366, -0.044, -1.825, 0.342, 0.401, 0.092, -0.174, -0.124, -0.727, -0.02, -0.303, 0.342, -0.954, 0.486, 0.393, 0.108, -0.189, 0.802, -1.415, 0.71, 0.493, 0.533, 0.633, -0.404, -0.009, 0.887, 0.681, 0.457, -1.264, 0.788, 1.419, 1.26, 0.484, -1.308, 1.193, 0.103, -2.283, 0.627, -1.242, -1.046, -0.385, 1.523, -0.121, 0.521, 1.998, 1.844];

    internal static double[] Sorted(double[] values) => values.Order().ToArray();

    internal static void Close(double expected, double actual, double relative = Relative)
    {
        var tolerance = relative * Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
    }

    [Theory]
    // ks_2samp(x, y, method='exact'): statistic, pvalue.
    [InlineData("AB", 0.38, 0.0701492275439113)]
    [InlineData("CD", 0.4, 0.08105771161340149)]
    [InlineData("EF", 0.105, 0.13505500365124082)]
    public void Statistic_AndExactPValue_MatchScipyExact(string pair, double expectedD, double expectedP)
    {
        var (x, y) = Pair(pair);
        var d = KolmogorovSmirnov.Statistic(Sorted(x), Sorted(y));
        Close(expectedD, d);
        Assert.Equal(KsMethod.Exact, KolmogorovSmirnov.MethodFor(x.Length, y.Length));
        Close(expectedP, KolmogorovSmirnov.PValue(d, x.Length, y.Length));
    }

    [Fact]
    public void ExactPValue_EqualSizes_AgreesWithClosedFormOfSquare()
    {
        // n = m = 20, h = 8: P(D ≥ 8/20) = 2 Σ_k (−1)^(k−1) C(40, 20 − 8k) / C(40, 20) (Gnedenko–Korolyuk), worked here
        // with exact integer binomials: C(40,12)=5586853480, C(40,4)=91390, C(40,20)=137846528820.
        var expected = 2.0 * (5586853480.0 - 91390.0) / 137846528820.0;
        Close(expected, KolmogorovSmirnov.ExactPValue(0.4, 20, 20));
    }

    [Theory]
    // kstwobign.sf((sqrt(en) + 0.12 + 0.11/sqrt(en)) * d) for en = n1 n2 / (n1 + n2).
    [InlineData(0.05, 2000, 1_000_000, 8.769200983484432e-05)]
    [InlineData(0.031, 2000, 50_000, 0.04862092982777678)]
    [InlineData(0.1, 2000, 20_000, 2.6156146071842153e-16)]
    [InlineData(0.02, 1500, 10_001, 0.6696845855944019)]
    public void AsymptoticPValue_LargeSamples_MatchesKolmogorovWithStephensCorrection(double d, long n1, long n2, double expected)
    {
        Assert.Equal(KsMethod.Asymptotic, KolmogorovSmirnov.MethodFor(n1, n2));
        Close(expected, KolmogorovSmirnov.PValue(d, n1, n2));
    }

    [Theory]
    // scipy.stats.kstwobign.sf(lambda): both branches of the series.
    [InlineData(0.3, 0.9999906941986655)]
    [InlineData(0.6, 0.8642827790506042)]
    [InlineData(0.9, 0.3927307079406543)]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.2, 0.11224966667072497)]
    [InlineData(2.0, 0.0006709252557796953)]
    [InlineData(3.5, 4.579469691291106e-11)]
    public void KolmogorovSurvival_Values_MatchScipyKstwobign(double lambda, double expected) =>
        Close(expected, SpecialFunctions.KolmogorovSurvival(lambda));

    [Theory]
    // scipy.special.gammaincc(a, x), including far tails where only a directly computed Q keeps its digits.
    [InlineData(0.5, 0.1, 0.6547208460185768)]
    [InlineData(1.5, 4.0, 0.04601170568923136)]
    [InlineData(2.5, 30.0, 1.2154569777183007e-11)]
    [InlineData(10.0, 3.0, 0.9988975118698845)]
    [InlineData(10.0, 25.0, 0.0002214766382487835)]
    [InlineData(50.0, 49.0, 0.5378956063990598)]
    [InlineData(0.5, 60.0, 6.326068263677272e-28)]
    public void GammaQ_Values_MatchScipyGammaincc(double a, double x, double expected) =>
        Close(expected, SpecialFunctions.GammaQ(a, x));

    [Theory]
    // scipy.stats.chi2.sf(statistic, dof).
    [InlineData(150.0, 3, 2.6349139284880416e-32)]
    [InlineData(3.2, 4, 0.5249309467861041)]
    [InlineData(0.5, 1, 0.47950012218695337)]
    public void ChiSquareSurvival_Values_MatchScipyChi2(double statistic, int dof, double expected) =>
        Close(expected, SpecialFunctions.ChiSquareSurvival(statistic, dof));

    [Theory]
    // scipy.special.gammaln(x); gammaln(1) = 0 exactly is checked absolutely.
    [InlineData(0.3, 1.0957979948180756)]
    [InlineData(4.5, 2.4537365708424423)]
    [InlineData(17.25, 31.37462231367769)]
    [InlineData(170.5, 704.0044277342047)]
    public void LogGamma_Values_MatchScipyGammaln(double x, double expected) => Close(expected, SpecialFunctions.LogGamma(x), 1e-12);

    [Fact]
    public void LogGamma_One_IsZero() => Assert.True(Math.Abs(SpecialFunctions.LogGamma(1.0)) < 1e-14);

    [Fact]
    public void ChiSquareHomogeneity_WithEmptyReferenceCategory_MatchesScipyContingency()
    {
        // chi2_contingency([[120,45,30,5,0],[80,60,20,9,4]], correction=False)
        var (statistic, dof, p) = DistributionDistance.ChiSquareHomogeneity([120, 45, 30, 5, 0], [80, 60, 20, 9, 4]);
        Close(15.412045829892648, statistic);
        Assert.Equal(4, dof);
        Close(0.003918650911152502, p);
    }

    [Fact]
    public void ChiSquareHomogeneity_SimilarCounts_MatchesScipyContingency()
    {
        // chi2_contingency([[500,300,200],[50,28,22]], correction=False)
        var (statistic, dof, p) = DistributionDistance.ChiSquareHomogeneity([500, 300, 200], [50, 28, 22]);
        Close(0.3021313996923747, statistic);
        Assert.Equal(2, dof);
        Close(0.8597912086533717, p);
    }

    [Fact]
    public void ChiSquareHomogeneity_CategoryEmptyInBoth_IsDroppedFromDof()
    {
        var (_, dof, _) = DistributionDistance.ChiSquareHomogeneity([500, 300, 200, 0], [50, 28, 22, 0]);
        Assert.Equal(2, dof);
    }

    [Fact]
    public void Psi_Fractions_MatchesHandComputation()
    {
        // By hand: Σ (c − r) ln(c / r) = 0.05 ln 1.5 + 0.05 ln 1.25 + 0.05 ln(0.35/0.3) − 0.15 ln 0.625
        //   = 0.020273255 + 0.011157178 + 0.007707533 + 0.070501546 = 0.109638511; numpy gave 0.10963851134934197.
        var byHand = 0.05 * Math.Log(1.5) + 0.05 * Math.Log(1.25) + 0.05 * Math.Log(0.35 / 0.3) - 0.15 * Math.Log(0.625);
        var psi = DistributionDistance.Psi([0.1, 0.2, 0.3, 0.4], [0.15, 0.25, 0.35, 0.25]);
        Close(byHand, psi);
        Close(0.10963851134934197, psi);
    }

    [Fact]
    public void Psi_EmptyBin_IsFlooredAtEpsilonNotInfinite()
    {
        // One empty current bin: (1e-4 − 0.5) ln(1e-4 / 0.5) + (1 − 0.5) ln(1 / 0.5), worked by hand.
        var expected = (1e-4 - 0.5) * Math.Log(1e-4 / 0.5) + 0.5 * Math.Log(2);
        Close(expected, DistributionDistance.Psi([0.5, 0.5], [0.0, 1.0]));
    }

    [Theory]
    // scipy.stats.wasserstein_distance(x, y).
    [InlineData("AB", 0.5212222222222224)]
    [InlineData("CD", 0.6025)]
    [InlineData("EF", 0.132845)]
    public void Wasserstein_Samples_MatchScipy(string pair, double expected)
    {
        var (x, y) = Pair(pair);
        Close(expected, DistributionDistance.Wasserstein(Sorted(x), Sorted(y)));
    }

    internal static (double[] X, double[] Y) Pair(string name) => name switch
    {
        "AB" => (A, B),
        "CD" => (C, D),
        "EF" => (E, F),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
