using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mlops.Pipeline.Monitoring;

namespace Mlops.FunctionApp.Hosting;

/// <summary>The app's own settings (app settings / environment), bound and validated once at start.</summary>
internal sealed class MlopsSettings
{
    /// <summary>The app's public base URL: links in responses of runs that no request started (timers, blob uploads).</summary>
    [ConfigurationKeyName("MLOPS_PUBLIC_BASE_URL")]
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    /// <summary>Seconds a monitoring window ends before now (the prediction log is written in batches).</summary>
    [ConfigurationKeyName("MLOPS_MONITORING_SETTLE_SECONDS")]
    public int SettleSeconds { get; set; } = 5;

    /// <summary>Fewest logged rows a drift window needs.</summary>
    [ConfigurationKeyName("MLOPS_DRIFT_MIN_ROWS")]
    public int DriftMinRows { get; set; } = 50;

    /// <summary>Fewest feedback/prediction pairs a live-quality window needs.</summary>
    [ConfigurationKeyName("MLOPS_QUALITY_MIN_PAIRS")]
    public int QualityMinPairs { get; set; } = 30;

    /// <summary>Days back predictions are searched for feedback to join.</summary>
    [ConfigurationKeyName("MLOPS_QUALITY_LOOKBACK_DAYS")]
    public int QualityLookbackDays { get; set; } = 7;

    /// <summary>The first broken rule, or null when the settings are valid.</summary>
    public string? Validate() =>
        !Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _) ? "MLOPS_PUBLIC_BASE_URL must be an absolute URL."
        : SettleSeconds < 0 ? "MLOPS_MONITORING_SETTLE_SECONDS must be 0 or more."
        : DriftMinRows < 1 ? "MLOPS_DRIFT_MIN_ROWS must be 1 or more."
        : QualityMinPairs < 1 ? "MLOPS_QUALITY_MIN_PAIRS must be 1 or more."
        : QualityLookbackDays < 1 ? "MLOPS_QUALITY_LOOKBACK_DAYS must be 1 or more."
        : null;

    /// <summary>The monitoring checks' options.</summary>
    public MonitoringOptions ToMonitoringOptions() => new()
    {
        Settle = TimeSpan.FromSeconds(SettleSeconds),
        DriftMinRows = DriftMinRows,
        QualityMinPairs = QualityMinPairs,
        QualityLookback = TimeSpan.FromDays(QualityLookbackDays),
        PublicBaseUrl = new Uri(PublicBaseUrl),
    };
}

/// <summary>Fails the start with the broken rule of <see cref="MlopsSettings"/>.</summary>
internal sealed class MlopsSettingsValidator : IValidateOptions<MlopsSettings>
{
    public ValidateOptionsResult Validate(string? name, MlopsSettings options) =>
        options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
