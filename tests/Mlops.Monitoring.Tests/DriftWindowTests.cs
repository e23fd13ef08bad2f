using System.Text.Json;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Monitoring.Statistics;

namespace Mlops.Monitoring.Tests;

public sealed class DriftWindowTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddHours(1);

    private static FeatureDrift Only(DriftReport report) => Assert.Single(report.Features);

    [Fact]
    public void Evaluate_SmallWindow_KsAndWassersteinMatchScipyOnTheWholeWindow()
    {
        // Reference sample = StatisticsTests.A (25 values), window = B (18 values): the figures scipy printed for AB.
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", StatisticsTests.A));
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        window.AddNumeric("x", StatisticsTests.B);

        var feature = Only(window.Evaluate("m", 1, Start, End));

        StatisticsTests.Close(0.38, feature.KsStatistic!.Value);
        StatisticsTests.Close(0.0701492275439113, feature.KsPValue!.Value);
        Assert.Equal("exact", feature.KsMethod);
        StatisticsTests.Close(0.5212222222222224, feature.Wasserstein!.Value);
        Assert.Equal(0, feature.WassersteinErrorBound);
        Assert.Equal(25, feature.ReferenceSampleN);
        Assert.Equal(18, feature.CurrentN);
        // Small window: the p-value decides, and 0.07 is not below 0.01.
        Assert.Equal("pValue", feature.DecidedBy);
        Assert.Equal(DriftVerdict.NoDrift, feature.Verdict);
    }

    [Fact]
    public void Evaluate_RowsAddedAsJson_SameFiguresAsColumnAdd()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", StatisticsTests.E));
        var byRow = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        foreach (var v in StatisticsTests.F)
        {
            byRow.Add(new Dictionary<string, JsonElement> { ["x"] = JsonSerializer.SerializeToElement(v), ["other"] = JsonSerializer.SerializeToElement("ignored") });
        }

        byRow.Add(new Dictionary<string, JsonElement> { ["x"] = JsonSerializer.SerializeToElement<string?>(null) });
        byRow.Add(new Dictionary<string, JsonElement>());

        var feature = Only(byRow.Evaluate("m", 1, Start, End));

        // scipy ks_2samp(E, F, method='exact') and wasserstein_distance(E, F).
        StatisticsTests.Close(0.105, feature.KsStatistic!.Value);
        StatisticsTests.Close(0.13505500365124082, feature.KsPValue!.Value);
        StatisticsTests.Close(0.132845, feature.Wasserstein!.Value);
        Assert.Equal(200, feature.CurrentN);
        Assert.Equal(2, feature.CurrentMissing);
    }

    [Fact]
    public void Evaluate_PsiOnReferenceBins_MatchesHandComputation()
    {
        // Reference bins (−∞,0], (0,1], (1,2], (2,∞) with fractions 0.1/0.2/0.3/0.4; the window puts 3/5/7/5 of 20
        // values in them (values on an edge belong to the bin below it), i.e. 0.15/0.25/0.35/0.25: PSI 0.109638511…
        var column = TestProfiles.Numeric("x", [-1.0, 0.5, 0.7, 1.5, 1.6, 1.7, 2.5, 3.0, 3.5, 4.0], edges: [0.0, 1.0, 2.0]);
        var profile = TestProfiles.Of(column);
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        window.AddNumeric("x", [-1, -0.5, 0.0, 0.5, 1.0, 0.2, 0.3, 0.9, 1.5, 2.0, 1.1, 1.2, 1.3, 1.4, 1.9, 2.5, 3, 4, 5, 2.0000001]);

        var feature = Only(window.Evaluate("m", 1, Start, End));

        var byHand = 0.05 * Math.Log(1.5) + 0.05 * Math.Log(1.25) + 0.05 * Math.Log(0.35 / 0.3) - 0.15 * Math.Log(0.625);
        StatisticsTests.Close(byHand, feature.Psi!.Value);
    }

    [Fact]
    public void Evaluate_LargeWindowBeyondReservoir_KsStatisticIsExactAndWassersteinWithinItsBound()
    {
        var reference = TestProfiles.Normal(300, 0, 1, seed: 1);
        var current = TestProfiles.Normal(50_000, 0.2, 1.1, seed: 2);
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", reference));
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        window.AddNumeric("x", current);

        var feature = Only(window.Evaluate("m", 1, Start, End));

        // Brute force over every value (the sorted-sample code validated against scipy above).
        var sortedReference = StatisticsTests.Sorted(reference);
        var sortedCurrent = StatisticsTests.Sorted(current);
        Assert.Equal(KolmogorovSmirnov.Statistic(sortedReference, sortedCurrent), feature.KsStatistic!.Value, 15);
        var exactW = DistributionDistance.Wasserstein(sortedReference, sortedCurrent);
        Assert.True(Math.Abs(exactW - feature.Wasserstein!.Value) <= feature.WassersteinErrorBound!.Value + 1e-12,
            $"W1 {feature.Wasserstein} vs exact {exactW}, bound {feature.WassersteinErrorBound}");
        // With a 300-value reference the cells are coarse; the bound shrinks with the reference sample size.
        Assert.True(feature.WassersteinErrorBound < 0.02 * exactW, $"bound {feature.WassersteinErrorBound} is loose against W1 {exactW}");
        Assert.True(Math.Abs(exactW - feature.Wasserstein.Value) < 0.002 * exactW, $"W1 {feature.Wasserstein} vs exact {exactW}");
        Assert.Equal("asymptotic", feature.KsMethod);
        Assert.Equal(50_000, feature.CurrentN);
    }

    [Fact]
    public void Evaluate_IdenticalDistributionsLargeWindow_NoDrift()
    {
        var profile = TestProfiles.Of(
            TestProfiles.Numeric("a", TestProfiles.Normal(20_000, 10, 2, seed: 3)),
            TestProfiles.Numeric("b", TestProfiles.Normal(20_000, -5, 0.5, seed: 4)));
        var window = DriftDetector.Create(profile, ["a", "b"], new DriftThreshold());
        window.AddNumeric("a", TestProfiles.Normal(200_000, 10, 2, seed: 5));
        window.AddNumeric("b", TestProfiles.Normal(200_000, -5, 0.5, seed: 6));

        var report = window.Evaluate("m", 3, Start, End);

        Assert.Equal(DriftVerdict.NoDrift, report.Verdict);
        Assert.Empty(report.DriftedFeatures);
        Assert.All(report.Features, f =>
        {
            Assert.Equal("effectSize", f.DecidedBy);
            Assert.True(f.Psi < 0.01 && f.KsStatistic < 0.05 && f.NormalizedWasserstein < 0.05, f.Reason);
        });
    }

    [Fact]
    public void Evaluate_ShiftedNormalLargeWindow_DriftNamesTheShiftedFeature()
    {
        var profile = TestProfiles.Of(
            TestProfiles.Numeric("steady", TestProfiles.Normal(20_000, 0, 1, seed: 7)),
            TestProfiles.Numeric("shifted", TestProfiles.Normal(20_000, 0, 1, seed: 8)));
        var window = DriftDetector.Create(profile, ["steady", "shifted"], new DriftThreshold());
        window.AddNumeric("steady", TestProfiles.Normal(100_000, 0, 1, seed: 9));
        window.AddNumeric("shifted", TestProfiles.Normal(100_000, 1, 1, seed: 10));

        var report = window.Evaluate("m", 3, Start, End);

        Assert.Equal(DriftVerdict.Drift, report.Verdict);
        Assert.Equal(["shifted"], report.DriftedFeatures);
        var shifted = report.Features.Single(f => f.Name == "shifted");
        Assert.True(shifted.Psi > 0.2 && shifted.KsStatistic > 0.3 && shifted.NormalizedWasserstein > 0.8, shifted.Reason);
        Assert.Contains("current n 100,000", shifted.Reason);
    }

    [Fact]
    public void Evaluate_ShiftedNormalSmallWindow_PValueDecides()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", TestProfiles.Normal(5_000, 0, 1, seed: 11)));
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        window.AddNumeric("x", TestProfiles.Normal(300, 0.6, 1, seed: 12));

        var feature = Only(window.Evaluate("m", 1, Start, End));

        Assert.Equal("pValue", feature.DecidedBy);
        Assert.Equal(DriftVerdict.Drift, feature.Verdict);
        Assert.True(feature.KsPValue < 0.01);
    }

    [Fact]
    public void Merge_SplitWindows_SameReportAsOneWindow()
    {
        var profile = TestProfiles.Of(
            TestProfiles.Numeric("x", TestProfiles.Normal(10_000, 0, 1, seed: 13)),
            TestProfiles.Categorical("c", new Dictionary<string, long> { ["a"] = 600, ["b"] = 400 }, 0));
        var values = TestProfiles.Normal(30_000, 0.3, 1, seed: 14);
        var labels = Enumerable.Range(0, 30_000).Select(i => i % 7 == 0 ? "new" : i % 3 == 0 ? "b" : "a").ToArray();
        var whole = DriftDetector.Create(profile, ["x", "c"], new DriftThreshold());
        whole.AddNumeric("x", values);
        whole.AddCategorical("c", labels);
        var first = DriftDetector.Create(profile, ["x", "c"], new DriftThreshold());
        var second = DriftDetector.Create(profile, ["x", "c"], new DriftThreshold());
        first.AddNumeric("x", values.AsSpan(0, 12_345));
        first.AddCategorical("c", labels.Take(12_345));
        second.AddNumeric("x", values.AsSpan(12_345));
        second.AddCategorical("c", labels.Skip(12_345));

        first.Merge(second);

        var expected = whole.Evaluate("m", 1, Start, End);
        var merged = first.Evaluate("m", 1, Start, End);
        for (var i = 0; i < expected.Features.Count; i++)
        {
            var e = expected.Features[i];
            var m = merged.Features[i];
            Assert.Equal(e.KsStatistic, m.KsStatistic);
            Assert.Equal(e.Psi, m.Psi);
            Assert.Equal(e.ChiSquare, m.ChiSquare);
            Assert.Equal(e.UnseenCount, m.UnseenCount);
            Assert.Equal(e.CurrentN, m.CurrentN);
            StatisticsTests.Close(e.CurrentMean ?? 1, m.CurrentMean ?? 1, 1e-12);
            if (e.Wasserstein is not null)
            {
                StatisticsTests.Close(e.Wasserstein.Value, m.Wasserstein!.Value, 1e-12);
            }
        }

        Assert.Equal(DriftDetector.ReservoirCapacity, first.NumericFeature("x").Reservoir.Length);
    }

    [Fact]
    public void Resume_FromJsonState_ContinuesAsIfNeverStopped()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", TestProfiles.Normal(3_000, 0, 1, seed: 15)));
        var values = TestProfiles.Normal(10_000, 0.1, 1, seed: 16);
        var uninterrupted = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        uninterrupted.AddNumeric("x", values);
        var before = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        before.AddNumeric("x", values.AsSpan(0, 4_000));

        var json = JsonSerializer.Serialize(before.ToState(), MonitoringJson.Options);
        var state = JsonSerializer.Deserialize<DriftWindowState>(json, MonitoringJson.Options)!;
        var resumed = DriftDetector.Resume(profile, ["x"], DriftThresholds.From(new DriftThreshold()), state);
        resumed.AddNumeric("x", values.AsSpan(4_000));

        Assert.Contains("\"pointCounts\":", json);
        var expected = uninterrupted.ToState().Numeric["x"];
        var actual = resumed.ToState().Numeric["x"];
        Assert.Equal(expected.PointCounts, actual.PointCounts);
        Assert.Equal(expected.CellCounts, actual.CellCounts);
        Assert.Equal(expected.Reservoir, actual.Reservoir);
        Assert.Equal(expected.RandomState, actual.RandomState);
        Assert.Equal(expected.Count, actual.Count);
        // Moments merged per batch differ from one long batch only in rounding.
        StatisticsTests.Close(expected.Mean, actual.Mean, 1e-12);
        StatisticsTests.Close(expected.M2, actual.M2, 1e-12);
        for (var k = 0; k < expected.CellDistances.Length; k++)
        {
            StatisticsTests.Close(expected.CellDistances[k] + 1, actual.CellDistances[k] + 1, 1e-12);
        }
    }

    [Fact]
    public void Resume_StateFromAnotherProfile_Throws()
    {
        var one = TestProfiles.Of(TestProfiles.Numeric("x", TestProfiles.Normal(100, 0, 1, seed: 17)));
        var other = TestProfiles.Of(TestProfiles.Numeric("x", TestProfiles.Normal(100, 0, 1, seed: 18)));
        var state = DriftDetector.Create(one, ["x"], new DriftThreshold()).ToState();

        var error = Assert.Throws<ArgumentException>(() => DriftDetector.Resume(other, ["x"], new DriftThresholds(), state));
        Assert.Contains("another reference profile", error.Message);
    }

    [Fact]
    public void Create_FeatureNotInProfile_ThrowsNamingIt()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", [1.0, 2.0, 3.0]));

        var error = Assert.Throws<ArgumentException>(() => DriftDetector.Create(profile, ["x", "temp_max"], new DriftThreshold()));
        Assert.Contains("'temp_max'", error.Message);
    }

    [Fact]
    public void Evaluate_CategoricalSmallWindow_ChiSquareMatchesScipyAndUnseenCounted()
    {
        // Reference counts 120/45/30/5 (no other); window 80/60/20/9 plus 4 unseen values: the table of
        // chi2_contingency([[120,45,30,5,0],[80,60,20,9,4]], correction=False) → 15.412045829892648, p 0.003918650911152502.
        var profile = TestProfiles.Of(TestProfiles.Categorical("weather",
            new Dictionary<string, long> { ["rain"] = 120, ["sun"] = 45, ["fog"] = 30, ["snow"] = 5 }, 0));
        var window = DriftDetector.Create(profile, ["weather"], new DriftThreshold());
        var values = Enumerable.Repeat("rain", 80).Concat(Enumerable.Repeat("sun", 60)).Concat(Enumerable.Repeat("fog", 20))
            .Concat(Enumerable.Repeat("snow", 9)).Concat(["hail", "hail", "hail", "dust"]).Append(null);
        window.AddCategorical("weather", values);

        var report = window.Evaluate("m", 2, Start, End);
        var feature = Only(report);

        StatisticsTests.Close(15.412045829892648, feature.ChiSquare!.Value);
        StatisticsTests.Close(0.003918650911152502, feature.ChiSquarePValue!.Value);
        Assert.Equal(4, feature.Dof);
        Assert.Equal(4, feature.UnseenCount);
        Assert.Equal([new CategoryCount("hail", 3), new CategoryCount("dust", 1)], feature.UnseenCategories);
        Assert.Equal(1, feature.CurrentMissing);
        Assert.Equal(DriftVerdict.Drift, feature.Verdict);
        Assert.Equal(["weather"], report.DriftedFeatures);
    }

    [Fact]
    public void Evaluate_CategoricalLargeWindowSameMix_NoDriftDespiteTinyPValue()
    {
        var profile = TestProfiles.Of(TestProfiles.Categorical("c", new Dictionary<string, long> { ["a"] = 5_000, ["b"] = 5_000 }, 0));
        var window = DriftDetector.Create(profile, ["c"], new DriftThreshold());
        // 52/48 against 50/50 on 200,000 rows: a "significant" but negligible shift.
        window.AddCategorical("c", Enumerable.Range(0, 200_000).Select(i => i % 25 < 13 ? "a" : "b"));

        var feature = Only(window.Evaluate("m", 1, Start, End));

        Assert.True(feature.ChiSquarePValue < 0.01);
        Assert.Equal("effectSize", feature.DecidedBy);
        Assert.Equal(DriftVerdict.NoDrift, feature.Verdict);
    }

    [Fact]
    public void Evaluate_EmptyWindow_NotEnoughData()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", [1.0, 2.0, 3.0]));
        var report = DriftDetector.Create(profile, ["x"], new DriftThreshold()).Evaluate("m", 1, Start, End);

        Assert.Equal(DriftVerdict.NotEnoughData, report.Verdict);
    }

    [Fact]
    public void DriftReport_Json_HasStableCamelCaseNames()
    {
        var profile = TestProfiles.Of(TestProfiles.Numeric("x", StatisticsTests.A));
        var window = DriftDetector.Create(profile, ["x"], new DriftThreshold());
        window.AddNumeric("x", StatisticsTests.B);

        var json = JsonSerializer.Serialize(window.Evaluate("m", 1, Start, End), MonitoringJson.Options);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var feature = root.GetProperty("features")[0];

        Assert.Equal("noDrift", root.GetProperty("verdict").GetString());
        Assert.Equal(0.2, root.GetProperty("thresholds").GetProperty("psi").GetDouble());
        foreach (var name in new[] { "name", "kind", "referenceN", "referenceSampleN", "currentN", "psi", "ksStatistic", "ksPValue", "wasserstein", "normalizedWasserstein", "verdict", "reason" })
        {
            Assert.True(feature.TryGetProperty(name, out _), $"missing {name} in {feature}");
        }

        Assert.Equal("numeric", feature.GetProperty("kind").GetString());
        var back = JsonSerializer.Deserialize<DriftReport>(json, MonitoringJson.Options)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, MonitoringJson.Options));
    }
}
