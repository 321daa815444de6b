using System.Diagnostics.Metrics;

using Microsoft.Extensions.Logging;

namespace Mellea;

/// <summary>Options of the <see cref="MetricsMiddleware"/>. Every property has a working default; an empty instance is the usual setup.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// The meter to record on. Default: <see langword="null"/>, which means a meter from <see cref="MeterFactory"/> when set,
    /// else the process-wide <see cref="MelleaTelemetry.Meter"/>. Tests pass their own meter to stay isolated.
    /// </summary>
    public Meter? Meter { get; set; }

    /// <summary>
    /// Creates the <see cref="MelleaTelemetry.MeterName"/> meter when <see cref="Meter"/> is not set (dependency injection
    /// passes the application's). Default: <see langword="null"/>.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Caller tags added to every metric, after the allowlist. Share the instance with the tracing middleware so that spans and
    /// metrics carry the same tags. Default: <see langword="null"/> (no caller tags).
    /// </summary>
    public TelemetryEnrichmentOptions? Enrichment { get; set; }

    /// <summary>
    /// The prices for <c>mellea.llm.cost.usd</c> when the provider reports no cost. Default: <see langword="null"/>, which means
    /// the table that <c>MELLEA_PRICING_ENABLED</c> and <c>MELLEA_PRICING_FILE</c> describe, read once when the middleware is built.
    /// </summary>
    public ModelPriceTable? PriceTable { get; set; }

    /// <summary>Where the pricing variables are read. Default: <see langword="null"/>, which means <see cref="TelemetryEnvironment.Process"/>.</summary>
    public TelemetryEnvironment? Environment { get; set; }

    /// <summary>Receives the rare warnings (an unreadable price file, an unpriced model). Default: <see langword="null"/> (no logging).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
