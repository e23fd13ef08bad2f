using System.Globalization;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Catalog.Projects;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Runs;
using Mlops.Core.Projects;

namespace Mlops.Pipeline.Monitoring;

/// <summary>What every monitoring check reads and writes: the catalog, the monitoring store, the options and the clock.</summary>
internal sealed class MonitoringContext(CatalogServices catalog, MonitoringStore store, MonitoringOptions options, TimeProvider time)
{
    /// <summary>How many recent reports or windows a check looks through for the production version's previous one.</summary>
    public const int ReportsScanned = 50;

    public CatalogServices Catalog => catalog;

    public MonitoringStore Store => store;

    public MonitoringOptions Options => options;

    public TimeProvider Time => time;

    public async Task<ModelVersion?> ProductionAsync(string model, CancellationToken cancellationToken) =>
        await catalog.Models.FindAliasAsync(model, ModelRegistry.ProductionAlias, cancellationToken).ConfigureAwait(false) is { } alias
            ? await catalog.Models.GetVersionAsync(model, alias.Version, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Whole seconds, <see cref="MonitoringOptions.Settle"/> before now: the same end for a check repeated within the second.</summary>
    public DateTimeOffset WindowEnd(DateTimeOffset now)
    {
        var end = now - options.Settle;
        return new DateTimeOffset(end.UtcTicks - (end.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Stores the outcome as the check's note (what GET .../monitoring lists) and returns it.</summary>
    public async Task<CheckOutcome> NoteAsync(CheckOutcome outcome, CancellationToken cancellationToken)
    {
        await store.SaveNoteAsync(outcome, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    public static string ToCamel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
