using System.Text.Json;
using Mlops.Catalog;
using Mlops.Core.Data;
using Mlops.Core.Errors;
using Mlops.Data;
using Mlops.Storage;

namespace Mlops.Pipeline;

/// <summary>
/// A run's scratch space in the <c>runs</c> container (<c>runs/{runId}/...</c>): the assembled training set, its
/// split, each candidate's cross-validation result, the refit winner and the exported ONNX file. Stages hand data to each other through it, so an
/// orchestration input stays small. Writes are first-writer-wins: a retried stage finds its earlier output and
/// reuses it, which is what makes every stage idempotent.
/// </summary>
public sealed class RunWorkspace(CatalogServices catalog)
{
    /// <summary>The blob container of run workspaces.</summary>
    public const string Container = "runs";

    private BlobStore Blobs => catalog.Account.Blobs;

    /// <summary>Writes <paramref name="content"/> unless the file exists; returns false when it existed (a repeat).</summary>
    public async Task<bool> PutOnceAsync(string runId, string file, BinaryData content, CancellationToken ct)
    {
        var result = await Blobs.PutAsync(Container, Path(runId, file), content, new BlobPutOptions { Overwrite = false }, ct).ConfigureAwait(false);
        return result.Status == BlobWriteStatus.Written;
    }

    /// <summary>Writes a JSON document once.</summary>
    public Task<bool> PutJsonOnceAsync<T>(string runId, string file, T value, CancellationToken ct) =>
        PutOnceAsync(runId, file, BinaryData.FromObjectAsJson(value, CatalogJson.Options), ct);

    /// <summary>Reads a file, or null when absent.</summary>
    public Task<BinaryData?> FindAsync(string runId, string file, CancellationToken ct) => Blobs.ReadAllAsync(Container, Path(runId, file), ct);

    /// <summary>Reads a file that an earlier stage must have written.</summary>
    public async Task<BinaryData> GetAsync(string runId, string file, CancellationToken ct) =>
        await FindAsync(runId, file, ct).ConfigureAwait(false)
        ?? throw new MlopsException(ErrorCode.Internal, $"Run '{runId}' has no '{file}': an earlier stage did not finish.");

    /// <summary>Reads a JSON document an earlier stage wrote.</summary>
    public async Task<T> GetJsonAsync<T>(string runId, string file, CancellationToken ct) =>
        (await GetAsync(runId, file, ct).ConfigureAwait(false)).ToObjectFromJson<T>(CatalogJson.Options)
        ?? throw new MlopsException(ErrorCode.Internal, $"Run '{runId}' has an empty '{file}'.");

    /// <summary>Reads a JSON document, or default when absent.</summary>
    public async Task<T?> FindJsonAsync<T>(string runId, string file, CancellationToken ct) =>
        await FindAsync(runId, file, ct).ConfigureAwait(false) is { } data ? data.ToObjectFromJson<T>(CatalogJson.Options) : default;

    /// <summary>Loads the run's training set (written by the validate stage) as a typed table.</summary>
    public async Task<DataTable> LoadTrainingSetAsync(string runId, CancellationToken ct)
    {
        var schema = await GetJsonAsync<DatasetSchema>(runId, Files.Schema, ct).ConfigureAwait(false);
        var csv = await GetAsync(runId, Files.TrainingSet, ct).ConfigureAwait(false);
        return await DatasetReader.ReadCanonicalCsvAsync(csv.ToStream(), schema, ct).ConfigureAwait(false);
    }

    private static string Path(string runId, string file) => $"{runId}/{file}";

    /// <summary>File names inside a run's workspace.</summary>
    public static class Files
    {
        /// <summary>The assembled training set, canonical CSV.</summary>
        public const string TrainingSet = "data.csv";
        /// <summary>Its schema.</summary>
        public const string Schema = "schema.json";
        /// <summary>Its validation report.</summary>
        public const string Validation = "validation.json";
        /// <summary>Its profile: the drift reference of the model this run registers.</summary>
        public const string Profile = "profile.json";
        /// <summary>Train/holdout row indices.</summary>
        public const string Split = "split.json";
        /// <summary>The candidates of the search.</summary>
        public const string Candidates = "candidates.json";
        /// <summary>The winner refit on the whole training part: its ML.NET model.</summary>
        public const string Model = "model.zip";
        /// <summary>The winner's feature plan.</summary>
        public const string Plan = "feature-plan.json";
        /// <summary>Which candidate was exported (see <see cref="ExportedCandidate"/>).</summary>
        public const string Exported = "exported.json";
        /// <summary>The winner's metrics on the holdout.</summary>
        public const string HoldoutMetrics = "holdout-metrics.json";
        /// <summary>The exported ONNX model.</summary>
        public const string Onnx = "model.onnx";
        /// <summary>The export's signature.</summary>
        public const string Signature = "signature.json";
        /// <summary>The export's parity report.</summary>
        public const string Parity = "parity.json";

        /// <summary>A candidate's cross-validation result.</summary>
        public static string CandidateResult(string id) => $"candidates/{id}/result.json";
    }
}
