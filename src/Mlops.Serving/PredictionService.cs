using System.Text.Json;
using Mlops.Core.Projects;
using Mlops.Modeling.Serving;

namespace Mlops.Serving;

/// <summary>
/// Serves predict requests: parse the body (<see cref="ScoringRequestParser"/>), pick the version
/// (<see cref="ModelCache"/>), predict (checks every row against the signature), give each row a prediction id, and
/// queue inputs and outputs for the prediction log (<see cref="PredictionLogWriter"/>) without waiting for storage.
/// </summary>
public sealed class PredictionService
{
    private readonly ModelCache _cache;
    private readonly PredictionLogWriter _log;
    private readonly ScoringRequestParser _parser;
    private readonly TimeProvider _time;
    private readonly IPredictionInputFiller? _filler;

    /// <summary>Creates the service; <paramref name="filler"/> completes rows from a feature store before they are scored.</summary>
    public PredictionService(ModelCache cache, PredictionLogWriter log, ServingOptions? options = null, TimeProvider? time = null, IPredictionInputFiller? filler = null)
    {
        _filler = filler;
        _cache = cache ?? throw new ArgumentNullException(nameof(cache));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _parser = new ScoringRequestParser(options);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Predicts from raw UTF-8 JSON (size limit, syntax and shape checked). <paramref name="aliasOrVersion"/>: digits pin a version, anything else is an alias.</summary>
    public Task<ScoringResponse> PredictAsync(string model, string aliasOrVersion, ReadOnlyMemory<byte> utf8Body, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        var selector = ModelSelector.Parse(aliasOrVersion);
        return PredictAsync(model, selector, _parser.Parse(utf8Body), cancellationToken);
    }

    /// <summary>Predicts from a parsed JSON body.</summary>
    public Task<ScoringResponse> PredictAsync(string model, string aliasOrVersion, JsonElement body, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        var selector = ModelSelector.Parse(aliasOrVersion);
        return PredictAsync(model, selector, _parser.Parse(body), cancellationToken);
    }

    /// <summary>Predicts an already-parsed input with the selected version.</summary>
    public async Task<ScoringResponse> PredictAsync(string model, ModelSelector selector, ScoringInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<IReadOnlyDictionary<string, string>>? featureSources = null;
        if (_filler is not null)
        {
            // Rows are completed before they reach the predictor (and the log, so drift sees store-served values too).
            var loadedModel = await _cache.GetAsync(model, selector, cancellationToken).ConfigureAwait(false);
            var filled = await _filler.FillAsync(loadedModel, input, cancellationToken).ConfigureAwait(false);
            (input, featureSources) = (filled.Input, filled.FeatureSources);
        }

        var (loaded, batch, ids) = await ScoreAsync(model, selector, input, cancellationToken).ConfigureAwait(false);
        var predictions = new object[batch.Predictions.Count];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = ToResponseValue(batch.Predictions[i]);
        }

        var warnings = input.Warnings.Concat(batch.Warnings).ToList();
        return new ScoringResponse(predictions, new ModelRef(loaded.Name, loaded.Number), ids, warnings.Count > 0 ? warnings : null) { FeatureSources = featureSources };
    }

    /// <summary>Scores and logs; shared by the MLflow-shaped and Open Inference Protocol routes.</summary>
    internal async Task<(LoadedModel Model, PredictionBatch Batch, IReadOnlyList<string> Ids)> ScoreAsync(string model, ModelSelector selector, ScoringInput input, CancellationToken cancellationToken)
    {
        var loaded = await _cache.GetAsync(model, selector, cancellationToken).ConfigureAwait(false);
        var batch = input.Rows is not null ? loaded.Predictor.Predict(input.Rows) : loaded.Predictor.PredictColumns(input.Columns!);
        var ids = new string[batch.Predictions.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.NewGuid().ToString("N");
        }

        await _log.EnqueueAsync(new PredictionLogEntry(loaded.Name, loaded.Number, _time.GetUtcNow(), input, batch.Predictions, ids), cancellationToken).ConfigureAwait(false);
        return (loaded, batch, ids);
    }

    /// <summary>A row's value in the response: <see cref="ClassPrediction"/>, a number, or raw outputs by name.</summary>
    internal static object ToResponseValue(Prediction prediction) =>
        prediction switch
        {
            { Label: { } label } => new ClassPrediction(label, prediction.Probabilities ?? new Dictionary<string, float>()),
            { Value: { } value } => value,
            _ => prediction.Outputs ?? new Dictionary<string, JsonElement>(),
        };
}

/// <summary>A predict input after a feature store completed it.</summary>
/// <param name="Input">The rows to score.</param>
/// <param name="FeatureSources">Per row, feature → <c>request</c>, <c>store</c> or <c>fill</c>; null when the model uses no feature views.</param>
public sealed record FilledInput(ScoringInput Input, IReadOnlyList<IReadOnlyDictionary<string, string>>? FeatureSources);

/// <summary>
/// Completes predict rows before scoring: a row that carries a feature view's entity key(s) may leave out the view's
/// features, and the implementation (the app's feature store) reads them from the online store. Values sent win.
/// </summary>
public interface IPredictionInputFiller
{
    /// <summary>Returns the rows with missing view features filled; throws InvalidInput / NotFound naming the entity and view.</summary>
    ValueTask<FilledInput> FillAsync(LoadedModel model, ScoringInput input, CancellationToken cancellationToken);
}
