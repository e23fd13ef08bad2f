using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;
using Mlops.Modeling.Training;
using Xunit.Abstractions;

namespace Mlops.Modeling.Tests;

public sealed class ExplorationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("weather")]
    [InlineData("penguins")]
    [InlineData("sex")]
    [InlineData("cars")]
    public void All_Trainers_Print(string which)
    {
        var (table, spec) = which switch
        {
            "weather" => (TestData.Weather, TestData.WeatherSpec("lightgbm", "fasttree", "fastforest", "sdca", "lbfgs")),
            "penguins" => (TestData.Penguins, TestData.PenguinsSpec("lightgbm", "fasttree", "fastforest", "sdca", "lbfgs")),
            "sex" => (TestData.PenguinsBySex, TestData.PenguinSexSpec("lightgbm", "fasttree", "fastforest", "sdca", "lbfgs")),
            _ => (TestData.Cars, TestData.CarsSpec("lightgbm", "fasttree", "fastforest", "sdca", "lbfgs")),
        };
        var split = DataSplit.Split(table, spec);
        var train = table.SelectRows(split.Train);
        var holdout = table.SelectRows(split.Holdout);
        output.WriteLine("baseline " + string.Join(", ", MetricCalculator.Baseline(train, holdout, spec.Task, spec.Target).Select(kv => $"{kv.Key}={kv.Value:F4}")));
        foreach (var c in CandidateGrid.For(spec with { Search = new SearchSpec { MaxCandidates = 5 } }, table.RowCount))
        {
            var t = CandidateTrainer.Train(train, holdout, spec, c);
            output.WriteLine($"{c.Id} {t.TrainingDuration.TotalMilliseconds:F0}ms " + string.Join(", ", t.Metrics.Select(kv => $"{kv.Key}={kv.Value:F4}")));
            try
            {
                var e = OnnxExporter.Export(t, holdout);
                output.WriteLine($"   parity rows={e.Parity.RowsCompared} max={e.Parity.MaxAbsDifference:G3} mism={e.Parity.LabelMismatches}");
            }
            catch (Exception ex)
            {
                output.WriteLine("   EXPORT FAILED " + ex.Message);
            }
        }
    }
}
