using System.Collections.Concurrent;
using Mlops.Core.Data;
using Mlops.Core.Projects;
using Mlops.Modeling.Training;

namespace Mlops.Modeling.Tests;

/// <summary>Datasets with their spec and split, and trained candidates cached per (dataset, trainer) for the whole run.</summary>
internal static class TrainedModels
{
    private static readonly ConcurrentDictionary<(string, string), Lazy<TrainedCandidate>> Cache = new();

    public static (DataTable Table, ProjectSpec Spec) Dataset(string name) => name switch
    {
        "weather" => (TestData.Weather, TestData.WeatherSpec(AllTrainers)),
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

    /// <summary>The first grid candidate of <paramref name="trainer"/> trained on <paramref name="dataset"/>.</summary>
    public static TrainedCandidate Get(string dataset, string trainer) =>
        Cache.GetOrAdd((dataset, trainer), _ => new Lazy<TrainedCandidate>(() =>
        {
            var (table, spec) = Dataset(dataset);
            var (train, holdout) = Split(dataset);
            var candidate = CandidateGrid.For(spec with { Trainers = [trainer] }, table.RowCount)[0];
            return CandidateTrainer.Train(train, holdout, spec, candidate);
        })).Value;
}
