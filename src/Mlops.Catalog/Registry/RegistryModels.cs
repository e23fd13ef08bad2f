using Mlops.Core.Projects;

namespace Mlops.Catalog.Registry;

/// <summary>One artifact file of a model version, e.g. <c>model.onnx</c> or <c>model.zip</c> (the ML.NET model).</summary>
/// <param name="FileName">A plain file name: letters, digits, '.', '_', '-'.</param>
/// <param name="Content">The bytes.</param>
/// <param name="ContentType">Content-Type to store.</param>
public sealed record ModelArtifact(string FileName, BinaryData Content, string? ContentType = null);

/// <summary>What a run registers. The registry allocates the version and writes the card, signature and metrics files.</summary>
public sealed record ModelRegistration
{
    /// <summary>Model name (usually the project name).</summary>
    public required string Model { get; init; }

    /// <summary>The run registering it: one run registers at most one version.</summary>
    public required string RunId { get; init; }

    /// <summary>The project.</summary>
    public string? Project { get; init; }

    /// <summary>What it predicts.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>Trainer of the winning candidate.</summary>
    public string? Trainer { get; init; }

    /// <summary>Gate metric name.</summary>
    public string? Metric { get; init; }

    /// <summary>The data.</summary>
    public required ModelCardData Data { get; init; }

    /// <summary>Holdout metrics.</summary>
    public required IReadOnlyDictionary<string, double> Metrics { get; init; }

    /// <summary>Hyper-parameters.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>Inputs and outputs.</summary>
    public required ModelSignature Signature { get; init; }

    /// <summary>ONNX parity figures.</summary>
    public ParityFigures? Parity { get; init; }

    /// <summary>Artifact files; must include <c>model.onnx</c>.</summary>
    public required IReadOnlyList<ModelArtifact> Artifacts { get; init; }
}

/// <summary>A registered model version.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Version number (1, 2, ... with no gaps).</param>
/// <param name="RunId">The run that registered it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="Ready">True once every artifact is written; only ready versions can be served or aliased.</param>
/// <param name="Card">Its model card.</param>
/// <param name="Created">True when this call allocated it; false when the run had registered it already.</param>
public sealed record ModelVersion(string Model, int Version, string RunId, DateTimeOffset CreatedAt, bool Ready, ModelCard Card, bool Created)
{
    /// <summary>The blob folder of its artifacts: <c>models/{model}/{version}/</c>.</summary>
    public string ArtifactPrefix => $"{Model}/{Version}/";
}

/// <summary>Where an alias points.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Alias">Alias name, e.g. <c>production</c>.</param>
/// <param name="Version">The version it points to.</param>
/// <param name="ETag">Pass it back as <see cref="AliasMove.ExpectedETag"/> to move the alias only if nobody moved it since.</param>
/// <param name="UpdatedAt">When it last moved.</param>
/// <param name="UpdatedBy">Who moved it.</param>
public sealed record AliasState(string Model, string Alias, int Version, string ETag, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>A request to point an alias at a version (promote or roll back).</summary>
public sealed record AliasMove
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Alias name (same rule as model names), e.g. <c>production</c>.</summary>
    public required string Alias { get; init; }

    /// <summary>The target version; must exist and be ready.</summary>
    public required int Version { get; init; }

    /// <summary>Who moves it (a user, or <c>pipeline</c>).</summary>
    public required string Actor { get; init; }

    /// <summary>Why (shown in the audit log).</summary>
    public required string Reason { get; init; }

    /// <summary>Move only if the alias still has this ETag (from <see cref="AliasState.ETag"/>).</summary>
    public string? ExpectedETag { get; init; }

    /// <summary>Move only if the alias currently points to this version (0: only if it does not exist yet).</summary>
    public int? ExpectedVersion { get; init; }

    /// <summary>The run behind the move, for the audit log.</summary>
    public string? RunId { get; init; }

    /// <summary>The drift report behind the move, for the audit log.</summary>
    public string? DriftReportId { get; init; }
}

/// <summary>The outcome of a move.</summary>
/// <param name="Alias">Where the alias points now.</param>
/// <param name="Changed">False when it already pointed at the target (nothing written, nothing audited).</param>
/// <param name="PreviousVersion">Where it pointed before; null when new.</param>
/// <param name="Audit">The audit entry written; null when nothing changed.</param>
public sealed record AliasMoveResult(AliasState Alias, bool Changed, int? PreviousVersion, AuditEntry? Audit);

/// <summary>One alias move in the audit log.</summary>
/// <param name="EventId">Unique id of the entry.</param>
/// <param name="Model">Model name.</param>
/// <param name="Alias">Alias name.</param>
/// <param name="FromVersion">The version before; null when the alias was new.</param>
/// <param name="ToVersion">The version after.</param>
/// <param name="Actor">Who.</param>
/// <param name="Reason">Why.</param>
/// <param name="At">When.</param>
/// <param name="RunId">The run behind it.</param>
/// <param name="DriftReportId">The drift report behind it.</param>
public sealed record AuditEntry(string EventId, string Model, string Alias, int? FromVersion, int ToVersion, string Actor, string Reason, DateTimeOffset At, string? RunId, string? DriftReportId);

/// <summary>A model: its versions (with cards) and aliases (<c>GET /api/models/{name}</c>).</summary>
/// <param name="Name">Model name.</param>
/// <param name="Versions">Versions, newest first.</param>
/// <param name="Aliases">Aliases by name.</param>
public sealed record ModelDescription(string Name, IReadOnlyList<ModelVersion> Versions, IReadOnlyDictionary<string, AliasState> Aliases);
