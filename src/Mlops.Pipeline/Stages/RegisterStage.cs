using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Models;
using Mlops.Modeling.Evaluation;
using Mlops.Modeling.Onnx;

namespace Mlops.Pipeline;

/// <summary>
/// Stage 7: registers the exported model as a new version. The registry allocates the version number and is
/// idempotent per run id, so a repeated stage returns the same version instead of a second one.
/// </summary>
public sealed class RegisterStage(CatalogServices catalog, TimeProvider time, RunWorkspace workspace)
    : StageActivity<RegisterInput, Registration>(catalog, time)
{
    /// <summary>The activity name.</summary>
    public const string Name = "RegisterModel";

    /// <summary>The model artifact holding the training profile: the drift reference of the version.</summary>
    public const string ProfileArtifact = "profile.json";

    /// <inheritdoc />
    protected override string StageName(RegisterInput input) => "register";

    /// <inheritdoc />
    protected override StageInput RunOf(RegisterInput input) => input.Run;

    /// <inheritdoc />
    protected override string Describe(Registration output) => $"{output.ModelName} v{output.Version}{(output.Created ? "" : " (already registered)")}";

    /// <inheritdoc />
    protected override async Task<Registration> ExecuteAsync(RegisterInput input, CancellationToken ct)
    {
        var run = input.Run;
        var spec = await SpecOfAsync(run, ct).ConfigureAwait(false);
        var record = await Catalog.Runs.GetAsync(run.RunId, ct).ConfigureAwait(false);
        // The export stage may have exported a runner-up (the winner failed parity): register what was exported.
        var exported = await workspace.FindJsonAsync<ExportedCandidate>(run.RunId, RunWorkspace.Files.Exported, ct).ConfigureAwait(false);
        var candidate = record.Candidates.First(c => c.CandidateId == (exported?.CandidateId ?? input.CandidateId));
        var signature = ModelSignature.FromJson((await workspace.GetAsync(run.RunId, RunWorkspace.Files.Signature, ct).ConfigureAwait(false)).ToString());
        var parity = await workspace.GetJsonAsync<ParityReport>(run.RunId, RunWorkspace.Files.Parity, ct).ConfigureAwait(false);
        var split = await workspace.GetJsonAsync<Modeling.Training.SplitIndices>(run.RunId, RunWorkspace.Files.Split, ct).ConfigureAwait(false);
        var dataset = await Catalog.Datasets.GetAsync(run.Project, run.DatasetVersions[^1], ct).ConfigureAwait(false);
        var holdoutMetrics = await workspace.GetJsonAsync<Dictionary<string, double>>(run.RunId, RunWorkspace.Files.HoldoutMetrics, ct).ConfigureAwait(false);
        // The fingerprints of the rows the model trained on, so a later gate can leave them out (FairHoldout).
        var table = await workspace.LoadTrainingSetAsync(run.RunId, ct).ConfigureAwait(false);
        var trainingRows = TrainingRows.Of(table, split.Train);
        // The cross-validated score that chose the candidate goes with the parameters; the metrics are the holdout's.
        var parameters = new Dictionary<string, string>(candidate.Params, StringComparer.Ordinal);
        foreach (var (name, value) in candidate.Metrics)
        {
            parameters["cv." + name] = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        var version = await Catalog.Models.RegisterVersionAsync(new ModelRegistration
        {
            Model = input.ModelName,
            RunId = run.RunId,
            Project = run.Project,
            Task = spec.Task,
            Trainer = candidate.Trainer,
            Metric = spec.Metric,
            Data = new ModelCardData(dataset.Sha256, split.Train.Count + split.Holdout.Count, split.Train.Count, split.Holdout.Count, dataset.Version, run.SpecVersion),
            Metrics = holdoutMetrics,
            Params = parameters,
            Signature = signature,
            Parity = new ParityFigures(parity.RowsCompared, parity.MaxAbsDifference, parity.Tolerance, Passed: true,
                LabelAgreement: parity.RowsCompared == 0 ? null : 1.0 - ((double)parity.LabelMismatches / parity.RowsCompared)),
            Artifacts =
            [
                new ModelArtifact("model.onnx", await workspace.GetAsync(run.RunId, RunWorkspace.Files.Onnx, ct).ConfigureAwait(false), "application/octet-stream"),
                new ModelArtifact("model.zip", await workspace.GetAsync(run.RunId, RunWorkspace.Files.Model, ct).ConfigureAwait(false), "application/zip"),
                new ModelArtifact("feature-plan.json", await workspace.GetAsync(run.RunId, RunWorkspace.Files.Plan, ct).ConfigureAwait(false), "application/json"),
                new ModelArtifact(TrainingRows.FileName, BinaryData.FromString(trainingRows.ToJson()), "application/json"),
                new ModelArtifact(ProfileArtifact, await workspace.GetAsync(run.RunId, RunWorkspace.Files.Profile, ct).ConfigureAwait(false), "application/json"),
                new ModelArtifact("parity.json", await workspace.GetAsync(run.RunId, RunWorkspace.Files.Parity, ct).ConfigureAwait(false), "application/json"),
            ],
        }, ct).ConfigureAwait(false);
        await Catalog.Runs.LinkModelAsync(run.RunId, new RunModelLink(version.Model, version.Version, Promoted: false), ct).ConfigureAwait(false);
        return new Registration(version.Model, version.Version, version.Created);
    }
}
