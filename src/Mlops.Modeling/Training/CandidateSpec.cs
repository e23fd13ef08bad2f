using System.Globalization;
using Mlops.Core.Projects;

namespace Mlops.Modeling.Training;

/// <summary>
/// One model to train: a trainer family and its hyper-parameters, with a stable id (<c>lightgbm-0</c>). JSON-serialisable
/// (with <see cref="Featurization.ModelingJson.Options"/>): the pipeline hands one to each training activity.
/// </summary>
/// <param name="Id">Stable id: trainer name, dash, index of the draw within that trainer (0 = its default setting).</param>
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

