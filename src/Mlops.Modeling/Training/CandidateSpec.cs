using System.Globalization;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Training;

/// <summary>
/// One model to train: a trainer family and its hyper-parameters, with a stable id (<c>lightgbm-0</c>). JSON-serialisable
/// (with <see cref="Featurization.ModelingJson.Options"/>): the pipeline hands one to each training activity.
/// </summary>
/// <param name="Id">Stable id: trainer name, dash, index within that trainer's grid.</param>
/// <param name="Trainer">Trainer family: lightgbm, fasttree, fastforest, sdca or lbfgs.</param>
/// <param name="Parameters">Hyper-parameters by name (see the README for each trainer's names).</param>
public sealed record CandidateSpec(string Id, string Trainer, IReadOnlyDictionary<string, double> Parameters)
{
    /// <summary>The parameter <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public double Get(string name, double fallback) => Parameters.TryGetValue(name, out var v) ? v : fallback;

    /// <summary>The parameter <paramref name="name"/> as an integer, or <paramref name="fallback"/>.</summary>
    public int GetInt(string name, int fallback) => (int)Math.Round(Get(name, fallback));

    /// <inheritdoc />
    public override string ToString() =>
        $"{Id} ({string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"))})";
}

/// <summary>The small hyper-parameter grid per trainer family.</summary>
public static class CandidateGrid
{
    /// <summary>Trainer families and the tasks each supports.</summary>
    public static readonly IReadOnlyDictionary<string, TaskKind[]> Supported = new Dictionary<string, TaskKind[]>(StringComparer.Ordinal)
    {
        ["lightgbm"] = [TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression],
        ["fasttree"] = [TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression],
        // ML.NET's binary forest has no calibrated probability on its own (only inside one-versus-all).
        ["fastforest"] = [TaskKind.Multiclass, TaskKind.Regression],
        ["sdca"] = [TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression],
        // L-BFGS here is logistic regression / maximum entropy: classification only.
        ["lbfgs"] = [TaskKind.Binary, TaskKind.Multiclass],
    };

    /// <summary>
    /// The candidates for <paramref name="spec"/>: the spec's trainers that support its task, their grids interleaved
    /// (every trainer's first setting, then every second, ...) and cut at <c>spec.Search.MaxCandidates</c>.
    /// Tree sizes shrink for small datasets so leaves keep enough rows.
    /// </summary>
    public static IReadOnlyList<CandidateSpec> For(ProjectSpec spec, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var small = rowCount < 1000;
        var minLeaf = small ? 5 : 20;
        var grids = spec.Trainers
            .Distinct(StringComparer.Ordinal)
            .Where(t => Supported.TryGetValue(t, out var tasks) && tasks.Contains(spec.Task))
            .Select(t => (Trainer: t, Grid: GridOf(t, minLeaf, small)))
            .ToList();

        var result = new List<CandidateSpec>();
        for (var i = 0; result.Count < spec.Search.MaxCandidates && grids.Any(g => i < g.Grid.Count); i++)
        {
            foreach (var (trainer, grid) in grids)
            {
                if (i < grid.Count && result.Count < spec.Search.MaxCandidates)
                {
                    result.Add(new CandidateSpec($"{trainer}-{i}", trainer, grid[i]));
                }
            }
        }

        return result;
    }

    private static List<Dictionary<string, double>> GridOf(string trainer, int minLeaf, bool small) => trainer switch
    {
        "lightgbm" =>
        [
            new() { ["numberOfLeaves"] = small ? 8 : 31, ["learningRate"] = 0.1, ["numberOfIterations"] = 100, ["minimumExampleCountPerLeaf"] = minLeaf },
            new() { ["numberOfLeaves"] = small ? 4 : 15, ["learningRate"] = 0.05, ["numberOfIterations"] = 200, ["minimumExampleCountPerLeaf"] = minLeaf },
            new() { ["numberOfLeaves"] = small ? 16 : 63, ["learningRate"] = 0.1, ["numberOfIterations"] = 50, ["minimumExampleCountPerLeaf"] = minLeaf * 2 },
        ],
        "fasttree" =>
        [
            new() { ["numberOfLeaves"] = small ? 8 : 20, ["numberOfTrees"] = 100, ["learningRate"] = 0.1, ["minimumExampleCountPerLeaf"] = minLeaf },
            new() { ["numberOfLeaves"] = small ? 4 : 10, ["numberOfTrees"] = 200, ["learningRate"] = 0.05, ["minimumExampleCountPerLeaf"] = minLeaf },
            new() { ["numberOfLeaves"] = small ? 16 : 40, ["numberOfTrees"] = 50, ["learningRate"] = 0.2, ["minimumExampleCountPerLeaf"] = minLeaf * 2 },
        ],
        "fastforest" =>
        [
            new() { ["numberOfLeaves"] = small ? 16 : 20, ["numberOfTrees"] = 100, ["minimumExampleCountPerLeaf"] = minLeaf },
            new() { ["numberOfLeaves"] = small ? 8 : 40, ["numberOfTrees"] = 50, ["minimumExampleCountPerLeaf"] = minLeaf },
        ],
        "sdca" =>
        [
            new() { ["l2Regularization"] = 0.01, ["maximumNumberOfIterations"] = 100 },
            new() { ["l2Regularization"] = 0.1, ["maximumNumberOfIterations"] = 100 },
            new() { ["l2Regularization"] = 0.001, ["maximumNumberOfIterations"] = 200 },
        ],
        "lbfgs" =>
        [
            new() { ["l1Regularization"] = 0, ["l2Regularization"] = 1 },
            new() { ["l1Regularization"] = 0.1, ["l2Regularization"] = 0.1 },
        ],
        _ => [],
    };
}
