using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Mlops.Catalog;
using Mlops.Catalog.Datasets;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Core.Projects;
using Mlops.FunctionApp.Hosting;
using Mlops.Pipeline;

namespace Mlops.FunctionApp.Api;

/// <summary>
/// Read-only listings for browsing the platform (the dashboard reads these, as any client may): every project at a
/// glance, a project's runs, a dataset version's profile and a quarantined upload's report.
/// </summary>
public sealed class BrowseFunctions(CatalogServices catalog)
{
    /// <summary><c>GET /api/projects</c>: every project with its latest dataset, run, model versions and drift state.</summary>
    [Function("ListProjects")]
    [ApiOperation("Every project: spec headline, latest dataset version, latest run, production and latest model version, drift state", Tag = "Projects",
        Response = typeof(ProjectListResponse), ErrorStatuses = [])]
    public async Task<IActionResult> ListProjects(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects")] HttpRequest request, FunctionContext context)
    {
        var ct = context.CancellationToken;
        var names = new List<string>();
        await foreach (var name in catalog.Projects.ListProjectsAsync(ct).ConfigureAwait(false))
        {
            names.Add(name);
        }

        var projects = await Task.WhenAll(names.Order(StringComparer.Ordinal).Select(n => SummarizeAsync(n, ct))).ConfigureAwait(false);
        return ApiJson.Result(new ProjectListResponse(projects));
    }

    /// <summary><c>GET /api/projects/{project}/runs</c>: the project's runs, newest first, with status and stages.</summary>
    [Function("ListRuns")]
    [ApiOperation("A project's runs, newest first: status, trigger, stages with timings, lineage and the model they registered", Tag = "Runs",
        Response = typeof(RunListResponse), Description = "Query `take`: how many runs (default 20, at most 100). Full detail of one run: GET /api/runs/{runId}.")]
    public async Task<IActionResult> ListRuns(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}/runs")] HttpRequest request, string project, FunctionContext context)
    {
        ResourceName.Require(project, "project");
        var ct = context.CancellationToken;
        var take = Take(request, "take", 20, 100);
        _ = await catalog.Projects.GetAsync(project, cancellationToken: ct).ConfigureAwait(false);
        var summaries = await catalog.Runs.ListAsync(project, ct).ConfigureAwait(false);
        var records = await Task.WhenAll(summaries.OrderByDescending(r => r.CreatedAt).Take(take)
            .Select(r => catalog.Runs.FindAsync(r.RunId, ct))).ConfigureAwait(false);
        return ApiJson.Result(new RunListResponse(project, summaries.Count, records.OfType<RunRecord>().Select(RunOverview.From).ToList()));
    }

    /// <summary><c>GET /api/projects/{project}/datasets/{sha256}/profile</c>: per-column statistics and histogram bins.</summary>
    [Function("GetDatasetProfile")]
    [ApiOperation("A dataset version's profile: per column counts, missing values, numeric summary with quantile bins, category counts", Tag = "Datasets",
        Response = typeof(DatasetProfile))]
    public async Task<IActionResult> GetDatasetProfile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}/datasets/{sha256}/profile")] HttpRequest request, string project, string sha256,
        FunctionContext context)
    {
        ResourceName.Require(project, "project");
        RequireSha256(sha256);
        return ApiJson.Result(await catalog.Datasets.GetProfileAsync(project, sha256, context.CancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /api/projects/{project}/quarantine/{sha256}</c>: why an upload was rejected.</summary>
    [Function("GetQuarantinedUpload")]
    [ApiOperation("A quarantined upload: its catalog entry and validation report (rows and columns that broke which rule)", Tag = "Datasets",
        Response = typeof(QuarantineResponse))]
    public async Task<IActionResult> GetQuarantinedUpload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "projects/{project}/quarantine/{sha256}")] HttpRequest request, string project, string sha256,
        FunctionContext context)
    {
        ResourceName.Require(project, "project");
        RequireSha256(sha256);
        var ct = context.CancellationToken;
        var entry = await catalog.Datasets.FindQuarantinedAsync(project, sha256, ct).ConfigureAwait(false)
                    ?? throw MlopsException.NotFound($"Project '{project}' has no quarantined upload with sha256 '{sha256}'.");
        var report = await catalog.Datasets.GetQuarantineReportAsync(project, sha256, ct).ConfigureAwait(false);
        return ApiJson.Result(new QuarantineResponse(entry, report));
    }

    private async Task<ProjectSummary> SummarizeAsync(string project, CancellationToken ct)
    {
        var spec = await catalog.Projects.GetAsync(project, cancellationToken: ct).ConfigureAwait(false);
        var dataset = await catalog.Datasets.FindLatestAsync(project, ct).ConfigureAwait(false);
        var runs = await catalog.Runs.ListAsync(project, ct).ConfigureAwait(false);
        var latest = runs.OrderByDescending(r => r.CreatedAt).FirstOrDefault();
        var run = latest is null ? null : await catalog.Runs.FindAsync(latest.RunId, ct).ConfigureAwait(false);
        var modelName = Stages.ModelNameFor(project);
        // A project whose first run has not registered a model yet is listed without one (not a 404 for the whole list).
        var model = await catalog.Models.FindModelAsync(modelName, ct).ConfigureAwait(false);
        int? production = model is not null && model.Aliases.TryGetValue(ModelRegistry.ProductionAlias, out var alias) ? alias.Version : null;
        int? latestVersion = model is null || model.Versions.Count == 0 ? null : model.Versions.Max(v => v.Version);
        DriftState? drift = null;
        await foreach (var report in catalog.DriftReports.ListAsync(modelName, 1, ct).ConfigureAwait(false))
        {
            drift = new DriftState(report.ReportId, report.CreatedAt, report.Drifted, report.DriftedFeatures, report.SampleSize);
            break;
        }

        return new ProjectSummary(project, spec.Version, spec.Spec.Target, spec.Spec.Task, spec.Spec.Metric, modelName,
            dataset, run is null ? null : RunOverview.From(run), production, latestVersion, drift);
    }

    private static void RequireSha256(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw MlopsException.Invalid("sha256", "pattern", "'sha256' is the 64 lower-case hex digits of a dataset version.");
        }
    }

    private static int Take(HttpRequest request, string name, int fallback, int max)
    {
        var text = request.Query[name].FirstOrDefault();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max
            ? n
            : throw MlopsException.Invalid(name, "range", $"'{name}' must be a whole number from 1 to {max}.");
    }
}

/// <summary><c>GET /api/projects</c>.</summary>
public sealed record ProjectListResponse(IReadOnlyList<ProjectSummary> Projects);

/// <summary>One project at a glance.</summary>
/// <param name="Project">The project name.</param>
/// <param name="SpecVersion">The current spec version.</param>
/// <param name="Target">The spec's target column.</param>
/// <param name="Task">binary, multiclass or regression.</param>
/// <param name="Metric">The metric the promotion gate compares.</param>
/// <param name="ModelName">The registered model's name.</param>
/// <param name="LatestDataset">The newest accepted dataset version.</param>
/// <param name="LatestRun">The newest run.</param>
/// <param name="ProductionVersion">The version the production alias points to.</param>
/// <param name="LatestModelVersion">The newest registered version.</param>
/// <param name="Drift">The newest drift report's verdict.</param>
public sealed record ProjectSummary(string Project, int SpecVersion, string Target, TaskKind Task, string Metric, string ModelName,
    DatasetVersion? LatestDataset, RunOverview? LatestRun, int? ProductionVersion, int? LatestModelVersion, DriftState? Drift);

/// <summary>The newest drift report of a model, in one line.</summary>
public sealed record DriftState(string ReportId, DateTimeOffset At, bool Drifted, IReadOnlyList<string> DriftedFeatures, long SampleSize);

/// <summary><c>GET /api/projects/{project}/runs</c>.</summary>
/// <param name="Project">The project.</param>
/// <param name="Total">Runs the project has (the list holds the newest <c>take</c>).</param>
/// <param name="Runs">Newest first.</param>
public sealed record RunListResponse(string Project, int Total, IReadOnlyList<RunOverview> Runs);

/// <summary>A run without its candidates' details: what a list needs.</summary>
public sealed record RunOverview(string RunId, string Project, RunStatus Status, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt, RunTrigger Trigger, string? TriggerReference, RunLineage Lineage, IReadOnlyList<StageTiming> Stages, string? CurrentStage,
    int Candidates, string? BestCandidateId, RunModelLink? Model)
{
    /// <summary>The overview of a stored run; the current stage is the last one not yet ended.</summary>
    public static RunOverview From(RunRecord run) => new(run.RunId, run.Project, run.Status, run.Error, run.CreatedAt, run.StartedAt, run.EndedAt,
        run.Lineage.Trigger, run.Lineage.TriggerReference, run.Lineage, run.Stages, run.Stages.LastOrDefault(s => s.EndedAt is null)?.Name,
        run.Candidates.Count, run.BestCandidateId, run.Model);
}

/// <summary><c>GET /api/projects/{project}/quarantine/{sha256}</c>: the entry and its validation report.</summary>
public sealed record QuarantineResponse(DatasetVersion Upload, JsonElement Report);
