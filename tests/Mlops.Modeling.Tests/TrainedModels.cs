using System.Collections.Concurrent;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Tests;

/// <summary>A candidate fitted on a dataset's training part, with its holdout metrics.</summary>
internal sealed record TrainedCase(FittedModel Fitted, IReadOnlyDictionary<string, double> Metrics, int HoldoutRows)
{
    public ModelBundle Model => Fitted.Model;

    public TimeSpan TrainingDuration => Fitted.TrainingDuration;
}

/// <summary>Datasets with their spec and split, and fitted candidates cached per (dataset, trainer) for the whole run.</summary>
internal static class TrainedModels
{
    private static readonly ConcurrentDictionary<(string, string), Lazy<TrainedCase>> Cache = new();

    public static (DataTable Table, ProjectSpec Spec) Dataset(string name) => name switch
    {
        "weather" => (TestData.Weather, TestData.WeatherSpec(AllTrainers)),
        "weather-dated" => (TestData.Weather, TestData.WeatherSpec(AllTrainers) with { Ignore = [] }),
        "penguins" => (TestData.Penguins, TestData.PenguinsSpec(AllTrainers)),
        "penguin-sex" => (TestData.PenguinsBySex, TestData.PenguinSexSpec(AllTrainers)),
        "cars" => (TestData.Cars, TestData.CarsSpec(AllTrainers)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static string[] AllTrainers => ["lightgbm", "fasttree", "fastforest", "sdca", "lbfgs"];

    public static (DataTable Train, DataTable Holdout) Split(string dataset)
    {
        var (table, spec) = Dataset(dataset);
        var split = DataSplit.Split(table, spec);
        return (table.SelectRows(split.Train), table.SelectRows(split.Holdout));
    }

    /// <summary>The default candidate of <paramref name="trainer"/> fitted on <paramref name="dataset"/>'s training part.</summary>
    public static TrainedCase Get(string dataset, string trainer) =>
        Cache.GetOrAdd((dataset, trainer), _ => new Lazy<TrainedCase>(() =>
        {
            var (_, spec) = Dataset(dataset);
            var (train, holdout) = Split(dataset);
            var candidate = CandidateSearch.Candidates(spec with { Trainers = [trainer] }, train.RowCount)[0];
            var fitted = CandidateTrainer.Fit(train, spec, candidate);
            return new TrainedCase(fitted, MetricCalculator.Compute(fitted.Model.Predict(holdout), holdout, spec.Target), holdout.RowCount);
        })).Value;
}
