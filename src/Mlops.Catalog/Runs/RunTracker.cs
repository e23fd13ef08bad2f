using System.Runtime.CompilerServices;
using Mlops.Catalog.Internal;
using Mlops.Core.Errors;
using Mlops.Storage;

namespace Mlops.Catalog.Runs;

/// <summary>
/// Tracking of training runs: params, metrics, candidates, stage timings, status and lineage, one table partition
/// per run. Every write is keyed by run id and step (stage name, candidate id, metric-set key), so an activity that
/// runs twice overwrites its own row instead of adding one; status only moves forward.
/// </summary>
public sealed class RunTracker
{
    private const string HeaderRow = "run";
    private readonly TableStore _tables;
    private readonly TimeProvider _time;

    /// <summary>Creates the tracker over a table store.</summary>
    public RunTracker(TableStore tables, TimeProvider? time = null)
    {
        _tables = tables;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A new run id: sortable by time, unique (<c>yyyyMMddTHHmmssZ-xxxxxxxx</c>).</summary>
    public string NewRunId() => _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Records a run as queued. Idempotent: when the run exists, returns it unchanged.</summary>
    public async Task<RunRecord> StartAsync(NewRun run, CancellationToken cancellationToken = default)
    {
        var runId = CatalogLayout.RequireId(run.RunId, "runId");
        var project = CatalogLayout.RequireName(run.Project, "project");
        CatalogLayout.RequireSha256(run.Lineage.DatasetSha256, "lineage.datasetSha256");
        var now = _time.GetUtcNow();

        // The project index first: if the header insert below is lost, a retry writes the same index row again.
        await _tables.UpsertAsync(CatalogLayout.ProjectRunsTable, new TableRow(project, runId)
            .Set("CreatedAt", now).Set("Trigger", run.Lineage.Trigger.ToString()).Set("DatasetSha256", run.Lineage.DatasetSha256), cancellationToken: cancellationToken).ConfigureAwait(false);
        var header = new TableRow(runId, HeaderRow)
            .Set("Project", project).Set("Status", RunStatus.Queued.ToString()).Set("CreatedAt", now);
        JsonColumn.Write(header, "Lineage", run.Lineage);
        await _tables.InsertIfAbsentAsync(CatalogLayout.RunsTable, header, cancellationToken).ConfigureAwait(false);
        return await GetAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the run's status forward (queued → running → succeeded | failed). Setting the current status again, or an
    /// earlier one (a replayed activity), changes nothing; a finished run stays finished. Returns the status now stored.
    /// </summary>
    public async Task<RunStatus> SetStatusAsync(string runId, RunStatus status, string? error = null, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireId(runId, "runId");
        while (true)
        {
            var header = await RequireHeaderAsync(runId, cancellationToken).ConfigureAwait(false);
            var current = Enum.Parse<RunStatus>(header.GetString("Status")!);
            if (Rank(status) <= Rank(current))
            {
                return current;
            }

            var now = _time.GetUtcNow();
            var updated = new TableRow(header.PartitionKey, header.RowKey, header.Properties).Set("Status", status.ToString());
            if (status == RunStatus.Running || updated.GetDateTimeOffset("StartedAt") is null)
            {
                updated.Set("StartedAt", updated.GetDateTimeOffset("StartedAt") ?? now);
            }

            if (status is RunStatus.Succeeded or RunStatus.Failed)
            {
                updated.Set("EndedAt", now).Set("Error", error is null ? null : Truncate(error));
            }

            var result = await _tables.ReplaceIfMatchAsync(CatalogLayout.RunsTable, updated, header.ETag!, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return status;
            }

            // Someone else moved it meanwhile: read again and decide again.
        }
    }

    /// <summary>Logs the parameters of one step (replacing what that step logged before).</summary>
    public Task LogParamsAsync(string runId, string step, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken = default) =>
        WriteStepAsync(runId, "params|" + CatalogLayout.RequireId(step, "step"), row => JsonColumn.Write(row, "Params", parameters), cancellationToken);

    /// <summary>Logs a named metric set (e.g. <c>best</c>, <c>holdout</c>, <c>champion</c>), replacing an earlier one of that name.</summary>
    public Task LogMetricsAsync(string runId, string key, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken = default) =>
        WriteStepAsync(runId, "metrics|" + CatalogLayout.RequireId(key, "key"), row => JsonColumn.Write(row, "Metrics", metrics), cancellationToken);

    /// <summary>Logs a trained candidate (replacing an earlier log of the same candidate id).</summary>
    public Task LogCandidateAsync(string runId, CandidateResult candidate, CancellationToken cancellationToken = default) =>
        WriteStepAsync(runId, "candidate|" + CatalogLayout.RequireId(candidate.CandidateId, "candidateId"), row => JsonColumn.Write(row, "Candidate", candidate), cancellationToken);

    /// <summary>Records the winning candidate and its metrics (the <c>best</c> metric set).</summary>
    public async Task SetBestAsync(string runId, string candidateId, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireId(candidateId, "candidateId");
        await LogMetricsAsync(runId, "best", metrics, cancellationToken).ConfigureAwait(false);
        await WriteStepAsync(runId, "best", row => row.Set("CandidateId", candidateId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a stage's timing and outcome (the same stage again replaces its row: a retried activity).</summary>
    public Task LogStageAsync(string runId, StageTiming stage, CancellationToken cancellationToken = default) =>
        WriteStepAsync(runId, "stage|" + CatalogLayout.RequireId(stage.Name, "stage"), row => JsonColumn.Write(row, "Stage", stage), cancellationToken);

    /// <summary>Links the model version the run registered (and whether it was promoted).</summary>
    public Task LinkModelAsync(string runId, RunModelLink model, CancellationToken cancellationToken = default) =>
        WriteStepAsync(runId, "model", row => JsonColumn.Write(row, "Model", model), cancellationToken);

    /// <summary>Everything about a run; 404 when it does not exist.</summary>
    public async Task<RunRecord> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        await FindAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw MlopsException.NotFound($"Run '{runId}' does not exist.");

    /// <summary>Everything about a run, or null.</summary>
    public async Task<RunRecord?> FindAsync(string runId, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireId(runId, "runId");
        TableRow? header = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        var candidates = new List<CandidateResult>();
        var stages = new List<StageTiming>();
        string? best = null;
        RunModelLink? model = null;
        await foreach (var row in _tables.QueryAsync(CatalogLayout.RunsTable, runId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var kind = row.RowKey.Split('|')[0];
            switch (kind)
            {
                case HeaderRow: header = row; break;
                case "params":
                    foreach (var (k, v) in JsonColumn.Read<Dictionary<string, string>>(row, "Params")!)
                    {
                        parameters[k] = v;
                    }

                    break;
                case "metrics": metrics[row.RowKey["metrics|".Length..]] = JsonColumn.Read<Dictionary<string, double>>(row, "Metrics")!; break;
                case "candidate": candidates.Add(JsonColumn.Read<CandidateResult>(row, "Candidate")!); break;
                case "stage": stages.Add(JsonColumn.Read<StageTiming>(row, "Stage")!); break;
                case "best": best = row.GetString("CandidateId"); break;
                case "model": model = JsonColumn.Read<RunModelLink>(row, "Model"); break;
            }
        }

        if (header is null)
        {
            return null;
        }

        return new RunRecord
        {
            RunId = runId,
            Project = header.GetString("Project")!,
            Status = Enum.Parse<RunStatus>(header.GetString("Status")!),
            Error = header.GetString("Error"),
            CreatedAt = header.GetDateTimeOffset("CreatedAt")!.Value,
            StartedAt = header.GetDateTimeOffset("StartedAt"),
            EndedAt = header.GetDateTimeOffset("EndedAt"),
            Lineage = JsonColumn.Read<RunLineage>(header, "Lineage")!,
            Params = parameters,
            Metrics = metrics,
            Candidates = candidates,
            BestCandidateId = best,
            Stages = stages.OrderBy(s => s.StartedAt).ThenBy(s => s.Name, StringComparer.Ordinal).ToList(),
            Model = model,
        };
    }

    /// <summary>A project's runs, newest first.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(string project, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(project, "project");
        var rows = await _tables.QueryAsync(CatalogLayout.ProjectRunsTable, project, cancellationToken: cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new RunSummary(r.RowKey, project, r.GetDateTimeOffset("CreatedAt")!.Value, Enum.Parse<RunTrigger>(r.GetString("Trigger")!), r.GetString("DatasetSha256")!))
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.RunId, StringComparer.Ordinal).ToList();
    }

    private async Task WriteStepAsync(string runId, string rowKey, Action<TableRow> fill, CancellationToken cancellationToken)
    {
        await RequireHeaderAsync(runId, cancellationToken).ConfigureAwait(false);
        var row = new TableRow(runId, rowKey).Set("WrittenAt", _time.GetUtcNow());
        fill(row);
        await _tables.UpsertAsync(CatalogLayout.RunsTable, row, UpsertMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TableRow> RequireHeaderAsync(string runId, CancellationToken cancellationToken)
    {
        CatalogLayout.RequireId(runId, "runId");
        return await _tables.GetAsync(CatalogLayout.RunsTable, runId, HeaderRow, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Run '{runId}' does not exist; start it first.");
    }

    private static int Rank(RunStatus status) => status switch
    {
        RunStatus.Queued => 0,
        RunStatus.Running => 1,
        _ => 2,
    };

    private static string Truncate(string text) => text.Length <= 4000 ? text : text[..4000];
}
