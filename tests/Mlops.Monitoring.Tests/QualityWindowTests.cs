using System.Text.Json;
using Mlops.Core.Projects;

namespace Mlops.Monitoring.Tests;

public sealed class QualityWindowTests
{
    private static QualityWindow Classification(string metric)
    {
        var window = QualityWindow.Create(TaskKind.Multiclass, metric);
        // (predicted, actual): 
        //   sun: TP 3, FP 1 (a rain predicted as sun), FN 1 (a sun predicted as fog)
        //   rain: TP 2, FP 0, FN 1;  fog: TP 1, FP 1, FN 0.
        foreach (var (p, a) in new[] { ("sun", "sun"), ("sun", "sun"), ("sun", "sun"), ("sun", "rain"), ("fog", "sun"), ("rain", "rain"), ("rain", "rain"), ("fog", "fog") })
        {
            window.AddClassification(p, a);
        }

        return window;
    }

    [Fact]
    public void Value_Accuracy_MatchesHandCount() => Assert.Equal(6.0 / 8, Classification("accuracy").Value());

    [Fact]
    public void Value_MacroF1_MatchesHandComputation()
    {
        // F1 = 2TP / (2TP + FP + FN): sun 6/8, rain 4/5, fog 2/3; macro = mean.
        var expected = (6.0 / 8 + 4.0 / 5 + 2.0 / 3) / 3;
        StatisticsTests.Close(expected, Classification("macroF1").Value()!.Value, 1e-12);
    }

    [Fact]
    public void Value_RegressionMetrics_MatchHandComputation()
    {
        double[] predicted = [2.5, 0.0, 2.0, 8.0];
        double[] actual = [3.0, -0.5, 2.0, 7.0];
        // errors −0.5, 0.5, 0, 1: SSE 1.5, SAE 2; actual mean 2.875, SST 29.1875.
        var rmse = QualityWindow.Create(TaskKind.Regression, "rmse");
        var mae = QualityWindow.Create(TaskKind.Regression, "mae");
        var r2 = QualityWindow.Create(TaskKind.Regression, "r2");
        for (var i = 0; i < 4; i++)
        {
            rmse.AddRegression(predicted[i], actual[i]);
            mae.AddRegression(predicted[i], actual[i]);
            r2.AddRegression(predicted[i], actual[i]);
        }

        StatisticsTests.Close(Math.Sqrt(1.5 / 4), rmse.Value()!.Value, 1e-12);
        StatisticsTests.Close(0.5, mae.Value()!.Value, 1e-12);
        StatisticsTests.Close(1 - 1.5 / 29.1875, r2.Value()!.Value, 1e-12); // scikit-learn r2_score gives 0.9486081370449679
    }

    [Fact]
    public void Evaluate_AccuracyFellPastThreshold_Dropped()
    {
        var report = Classification("accuracy").Evaluate(holdoutValue: 0.9, dropThreshold: 0.1);

        Assert.Equal(QualityVerdict.Dropped, report.Verdict);
        StatisticsTests.Close(0.15, report.Drop!.Value, 1e-12);
    }

    [Fact]
    public void Evaluate_RmseRoseWithinThreshold_Ok()
    {
        var window = QualityWindow.Create(TaskKind.Regression, "rmse");
        window.AddRegression(1.0, 1.5);
        window.AddRegression(2.0, 1.5);

        // Lower is better: live 0.5 vs holdout 0.45 is a drop of 0.05.
        var report = window.Evaluate(holdoutValue: 0.45, dropThreshold: 0.1);

        Assert.Equal(QualityVerdict.Ok, report.Verdict);
        StatisticsTests.Close(0.05, report.Drop!.Value, 1e-9);
    }

    [Fact]
    public void Evaluate_NoFeedback_NotEnoughData() =>
        Assert.Equal(QualityVerdict.NotEnoughData, QualityWindow.Create(TaskKind.Binary, "accuracy").Evaluate(0.9, 0.1).Verdict);

    [Fact]
    public void Merge_AndJsonState_SameValueAsOneWindow()
    {
        var whole = QualityWindow.Create(TaskKind.Regression, "r2");
        var a = QualityWindow.Create(TaskKind.Regression, "r2");
        var b = QualityWindow.Create(TaskKind.Regression, "r2");
        for (var i = 0; i < 100; i++)
        {
            var actual = Math.Sin(i) * 10;
            var predicted = actual + (i % 5 - 2) * 0.3;
            whole.AddRegression(predicted, actual);
            (i < 37 ? a : b).AddRegression(predicted, actual);
        }

        var json = JsonSerializer.Serialize(a.ToState(), MonitoringJson.Options);
        var restored = QualityWindow.FromState(JsonSerializer.Deserialize<QualityWindowState>(json, MonitoringJson.Options)!);
        restored.Merge(b);

        StatisticsTests.Close(whole.Value()!.Value, restored.Value()!.Value, 1e-12);
        Assert.Equal(100, restored.Count);
    }

    [Fact]
    public void Create_ScoreMetric_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => QualityWindow.Create(TaskKind.Binary, "auc"));
        Assert.Contains("'auc'", error.Message);
    }
}
