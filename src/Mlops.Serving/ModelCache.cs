using System.Collections.Concurrent;
using Mlops.Catalog.Registry;
using Mlops.Core.Errors;
using Mlops.Core.Models;
using Mlops.Core.Projects;
using Mlops.Modeling.Serving;

namespace Mlops.Serving;

/// <summary>
/// Loads each model version once and shares it: one <see cref="OnnxPredictor"/> per (model, version), created from the
/// registry's <c>model.onnx</c> and signature the first time anyone asks (concurrent first requests wait on the same
/// load). Aliases (e.g. <c>production</c>) resolve to a version through a short-lived cache
/// (<see cref="ServingOptions.AliasTtl"/>), which <see cref="Invalidate"/> clears at once after a promotion in this
/// process; other instances pick the move up within the TTL.
/// </summary>
/// <remarks>
/// Swapping is safe for in-flight requests because a version's predictor is never disposed while cached, and when it
/// leaves the cache (least recently used beyond <see cref="ServingOptions.MaxLoadedVersions"/>) it is only dropped: a
/// request still holding it finishes on it, and ONNX Runtime's finalizer frees the session afterwards.
/// </remarks>
public sealed class ModelCache
{
    private readonly ModelRegistry _registry;
    private readonly ServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Model, int Version), Lazy<Task<LoadedModel>>> _versions = new();
    private readonly ConcurrentDictionary<(string Model, string Alias), AliasEntry> _aliases = new();

    /// <summary>Creates a cache over the registry.</summary>
    public ModelCache(ModelRegistry registry, ServingOptions? options = null, TimeProvider? time = null)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _options = options ?? new ServingOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many versions are loaded (or loading) now.</summary>
    public int LoadedCount => _versions.Count;

    /// <summary>How many times a version was read from the registry and loaded (each version once, unless it left the cache).</summary>
    public int LoadCount => _loads;

    private int _loads;

    /// <summary>The model a selector names: a pinned version, or the version an alias points to now.</summary>
    public async Task<LoadedModel> GetAsync(string model, ModelSelector selector, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        var version = selector.Version ?? await ResolveAliasAsync(model, selector.Alias!, cancellationToken).ConfigureAwait(false);
        return await GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A pinned version; NotFound when it does not exist or is not ready.</summary>
    public async Task<LoadedModel> GetVersionAsync(string model, int version, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        if (version < 1)
        {
            throw MlopsException.Invalid("version", "range", "'version' must be a positive integer.");
        }

        var key = (model, version);
        var lazy = _versions.GetOrAdd(key, k => new Lazy<Task<LoadedModel>>(() => LoadAsync(k.Model, k.Version)));
        LoadedModel loaded;
        try
        {
            // The load runs without the caller's token, so one cancelled request does not fail the others waiting on it.
            loaded = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            // Do not remember failures (a version may become ready a moment later); the next request tries again.
            _versions.TryRemove(new KeyValuePair<(string, int), Lazy<Task<LoadedModel>>>(key, lazy));
            throw;
        }

        Volatile.Write(ref loaded.LastUsedTicks, _time.GetTimestamp());
        return loaded;
    }

    /// <summary>The version <paramref name="alias"/> points to, from a cache at most <see cref="ServingOptions.AliasTtl"/> old; NotFound when unset.</summary>
    public async Task<int> ResolveAliasAsync(string model, string alias, CancellationToken cancellationToken = default)
    {
        ResourceName.Require(model, "name");
        ResourceName.Require(alias, "alias");
        var key = (model, alias);
        var now = _time.GetTimestamp();
        if (_aliases.TryGetValue(key, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Version;
        }

        var state = await _registry.FindAliasAsync(model, alias, cancellationToken).ConfigureAwait(false)
            ?? throw MlopsException.NotFound(alias == ModelRegistry.ProductionAlias
                ? $"Model '{model}' has no '{alias}' alias: no version has been promoted yet (or the model does not exist)."
                : $"Model '{model}' has no alias '{alias}'.");
        _aliases[key] = new AliasEntry(state.Version, now + (long)(_options.AliasTtl.TotalSeconds * _time.TimestampFrequency));
        return state.Version;
    }

    /// <summary>
    /// Forgets where <paramref name="model"/>'s aliases point, so the next request reads them again (call it right after
    /// moving an alias in this process). Loaded versions stay loaded; requests in flight finish on the version they hold.
    /// </summary>
    public void Invalidate(string model)
    {
        foreach (var key in _aliases.Keys)
        {
            if (key.Model == model)
            {
                _aliases.TryRemove(key, out _);
            }
        }
    }

    private async Task<LoadedModel> LoadAsync(string model, int version)
    {
        // Never on the caller's synchronization context, and never with its token (see GetVersionAsync).
        await Task.Yield();
        var entry = await _registry.FindVersionAsync(model, version, CancellationToken.None).ConfigureAwait(false)
            ?? throw MlopsException.NotFound($"Model '{model}' has no version {version}.");
        if (!entry.Ready)
        {
            throw MlopsException.NotFound($"Model '{model}' version {version} is still being registered (its artifacts are incomplete); it cannot serve yet.");
        }

        var bytes = (await _registry.ReadArtifactAsync(model, version, ModelRegistry.OnnxFileName, CancellationToken.None).ConfigureAwait(false)).ToArray();
        var signature = SignatureOf(entry, bytes);
        var predictor = new OnnxPredictor(bytes, signature, new OnnxPredictorOptions { MaxBatchRows = _options.MaxBatchRows });
        Interlocked.Increment(ref _loads);
        var loaded = new LoadedModel(entry, predictor) { LastUsedTicks = _time.GetTimestamp() };
        EvictBeyondLimit((model, version));
        return loaded;
    }

    /// <summary>
    /// The signature to serve with: the one registered in the model card (signature.json) when it lists inputs, else
    /// the one read from the ONNX graph (and our <c>mlops.signature</c> metadata), e.g. for a card written without one.
    /// </summary>
    internal static ModelSignature SignatureOf(ModelVersion entry, byte[] onnxModel) =>
        entry.Card.Signature is { Inputs.Count: > 0 } registered ? registered : OnnxSignature.Read(onnxModel);

    private void EvictBeyondLimit((string, int) justLoaded)
    {
        var excess = _versions.Count - _options.MaxLoadedVersions;
        if (excess <= 0)
        {
            return;
        }

        // Only completed loads are candidates; dropping one does not dispose it (a request may still hold it).
        var victims = _versions
            .Where(p => !p.Key.Equals(justLoaded) && p.Value.IsValueCreated && p.Value.Value.IsCompletedSuccessfully)
            .OrderBy(p => Volatile.Read(ref p.Value.Value.Result.LastUsedTicks))
            .Take(excess)
            .ToList();
        foreach (var victim in victims)
        {
            _versions.TryRemove(victim);
        }
    }

    private readonly record struct AliasEntry(int Version, long ExpiresAt);
}
