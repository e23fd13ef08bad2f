using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Catalog.Internal;
using Mlops.Core.Errors;
using Mlops.Storage;

namespace Mlops.Catalog.Monitoring;

/// <summary>A drift report's headline (the full report is a JSON blob).</summary>
public sealed record DriftReportSummary
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>Unique id (the retraining run's trigger reference).</summary>
    public required string ReportId { get; init; }

    /// <summary>When it was computed.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The model version whose inputs were compared.</summary>
    public int? ModelVersion { get; init; }

    /// <summary>The reference dataset.</summary>
    public string? DatasetSha256 { get; init; }

    /// <summary>Window start (inclusive).</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>Window end (exclusive).</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Logged rows compared.</summary>
    public required long SampleSize { get; init; }

    /// <summary>The overall verdict.</summary>
    public required bool Drifted { get; init; }

    /// <summary>Features judged drifted.</summary>
    public IReadOnlyList<string> DriftedFeatures { get; init; } = [];

    /// <summary>Where the full report is: <c>reports/drift/{model}/{reportId}.json</c>.</summary>
    public string? ReportBlob { get; init; }
}

/// <summary>Drift reports: a row per report in the <c>drift</c> table (newest first) and the full JSON under <c>reports/</c>.</summary>
public sealed class DriftReportStore
{
    private readonly TableStore _tables;
    private readonly BlobStore _blobs;

    /// <summary>Creates the store.</summary>
    public DriftReportStore(TableStore tables, BlobStore blobs)
    {
        _tables = tables;
        _blobs = blobs;
    }

    /// <summary>Saves a report (idempotent per report id: saving it again returns false and changes nothing).</summary>
    /// <returns>True when this call stored it.</returns>
    public async Task<bool> SaveAsync(DriftReportSummary summary, JsonElement fullReport, CancellationToken cancellationToken = default)
    {
        var model = CatalogLayout.RequireName(summary.Model, "model");
        var id = CatalogLayout.RequireId(summary.ReportId, "reportId");
        var path = $"drift/{model}/{id}.json";
        await _blobs.PutAsync(CatalogLayout.ReportsContainer, path, BinaryData.FromObjectAsJson(fullReport, CatalogJson.Options),
            new BlobPutOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        var stored = summary with { ReportBlob = $"{CatalogLayout.ReportsContainer}/{path}" };
        var byTime = new TableRow(model, "t|" + CatalogLayout.DescendingTime(summary.CreatedAt) + "|" + id);
        JsonColumn.Write(byTime, "Summary", stored);
        var byId = new TableRow(model, "id|" + id).Set("TimeKey", byTime.RowKey);
        var result = await _tables.SubmitBatchAsync(CatalogLayout.DriftTable, [TableOperation.Insert(byId), TableOperation.Insert(byTime)], cancellationToken).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Report summaries, newest first (at most <paramref name="take"/>).</summary>
    public async IAsyncEnumerable<DriftReportSummary> ListAsync(string model, int take = 50, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        var count = 0;
        await foreach (var row in _tables.QueryAsync(CatalogLayout.DriftTable, model, RowKeyRange.Prefix("t|"), cancellationToken).ConfigureAwait(false))
        {
            if (count++ >= take)
            {
                yield break;
            }

            yield return JsonColumn.Read<DriftReportSummary>(row, "Summary")!;
        }
    }

    /// <summary>A report's summary and full JSON; 404 when unknown.</summary>
    public async Task<(DriftReportSummary Summary, JsonElement Report)> GetAsync(string model, string reportId, CancellationToken cancellationToken = default)
    {
        CatalogLayout.RequireName(model, "model");
        CatalogLayout.RequireId(reportId, "reportId");
        var byId = await _tables.GetAsync(CatalogLayout.DriftTable, model, "id|" + reportId, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Model '{model}' has no drift report '{reportId}'.");
        var row = await _tables.GetAsync(CatalogLayout.DriftTable, model, byId.GetString("TimeKey")!, cancellationToken).ConfigureAwait(false)
            ?? throw new MlopsException(ErrorCode.Internal, $"Drift report '{reportId}' has an index row but no summary row.");
        var data = await _blobs.ReadAllAsync(CatalogLayout.ReportsContainer, $"drift/{model}/{reportId}.json", cancellationToken).ConfigureAwait(false)
            ?? throw new MlopsException(ErrorCode.Internal, $"Drift report blob of '{reportId}' is missing.");
        using var doc = JsonDocument.Parse(data);
        return (JsonColumn.Read<DriftReportSummary>(row, "Summary")!, doc.RootElement.Clone());
    }
}
