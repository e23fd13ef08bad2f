using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Projects;
using Mlops.Data;

namespace Mlops.FunctionApp.Api;

/// <summary><c>GET /api/projects/{project}</c>: the spec, its model and what happened last.</summary>
public sealed record ProjectResponse(string Project, int SpecVersion, ProjectSpec Spec, string ModelName, DatasetVersion? LatestDataset, RunSummary? LatestRun);

/// <summary><c>PUT /api/projects/{project}</c>: the stored spec version.</summary>
public sealed record ProjectPutResponse(string Project, int SpecVersion, bool Created, ProjectSpec Spec);

/// <summary>The answer to an upload: the dataset version (or quarantine entry), its report and, when a run started, its status URLs.</summary>
public sealed record UploadResponse(string Status, DatasetVersion Dataset, ValidationReport Report, string? RunId, HttpManagementPayload? Pipeline, string Message);

/// <summary><c>GET /api/projects/{project}/datasets</c>.</summary>
public sealed record DatasetListResponse(string Project, IReadOnlyList<DatasetVersion> Versions, IReadOnlyList<DatasetVersion> Quarantined);

/// <summary><c>POST /api/projects/{project}/runs</c> body: which dataset versions to train on (default: the latest).</summary>
public sealed record StartRunRequest(IReadOnlyList<string>? DatasetVersions);

/// <summary>The answer to a started run.</summary>
public sealed record StartRunResponse(string RunId, HttpManagementPayload Pipeline);

/// <summary><c>GET /api/models/{name}</c>.</summary>
public sealed record ModelResponse(string Name, IReadOnlyList<ModelVersion> Versions, IReadOnlyDictionary<string, AliasState> Aliases, IReadOnlyList<AuditEntry> Audit);

/// <summary><c>POST /api/models/{name}/aliases/{alias}</c> body.</summary>
public sealed record MoveAliasRequest(int Version, string? Reason, int? ExpectedVersion);

/// <summary>The answer to an alias move.</summary>
public sealed record MoveAliasResponse(string Model, string Alias, int Version, int? PreviousVersion, bool Changed);

/// <summary><c>GET /api/runs/{runId}</c>: the run record plus its orchestration's live status.</summary>
public sealed record RunResponse(RunRecord Run, string? RuntimeStatus, JsonElement? Progress, JsonElement? Output);
