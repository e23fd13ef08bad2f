using Mlops.Core.Projects;

namespace Mlops.Catalog.Registry;

/// <summary>
/// The manifest of a model version (like MLflow's <c>MLmodel</c>): what data, which metrics, which signature, how well
/// the ONNX export matched ML.NET, which run. Stored as <c>models/{model}/{version}/model-card.json</c>; a versioned wire
/// contract (<see cref="FormatVersion"/>).
/// </summary>
public sealed record ModelCard
{
    /// <summary>The card format; bumped only on a breaking change.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Version number.</summary>
    public required int Version { get; init; }

    /// <summary>The run that produced it.</summary>
    public required string RunId { get; init; }

    /// <summary>The project (absent for models registered from outside).</summary>
    public string? Project { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>What it predicts.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>The trainer of the winning candidate.</summary>
    public string? Trainer { get; init; }

    /// <summary>The gate metric's name.</summary>
    public string? Metric { get; init; }

    /// <summary>The data it learned from.</summary>
    public required ModelCardData Data { get; init; }

    /// <summary>Holdout metrics.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Hyper-parameters.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>Inputs and outputs.</summary>
    public required ModelSignature Signature { get; init; }

    /// <summary>ONNX-vs-ML.NET agreement, when checked.</summary>
    public ParityFigures? Parity { get; init; }

    /// <summary>The artifact files in the version's folder.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}

/// <summary>The data a model learned from.</summary>
/// <param name="DatasetSha256">The dataset version.</param>
/// <param name="Rows">Rows in the dataset.</param>
/// <param name="TrainRows">Rows used for training.</param>
/// <param name="HoldoutRows">Rows held out for evaluation.</param>
/// <param name="DatasetVersion">The dataset version number.</param>
/// <param name="SpecVersion">The project spec version.</param>
public sealed record ModelCardData(string DatasetSha256, long Rows, long? TrainRows = null, long? HoldoutRows = null, int? DatasetVersion = null, int? SpecVersion = null);

/// <summary>How closely the ONNX export reproduces ML.NET's predictions.</summary>
/// <param name="Rows">Rows compared.</param>
/// <param name="MaxAbsoluteDifference">Largest absolute difference of a score or value.</param>
/// <param name="Tolerance">The tolerance the check used.</param>
/// <param name="Passed">True when within tolerance.</param>
/// <param name="LabelAgreement">Fraction of rows with the same predicted label (classification).</param>
public sealed record ParityFigures(int Rows, double MaxAbsoluteDifference, double Tolerance, bool Passed, double? LabelAgreement = null);
