using System.Diagnostics.Metrics;

namespace Mellea;

/// <summary>Adds <see cref="MetricsMiddleware"/> to a pipeline.</summary>
public static class MetricsBuilderExtensions
{
    /// <summary>
    /// Records the GenAI client metrics and Mellea's own (<see cref="MelleaMetrics"/>). Add it before <c>UseRetry</c> so that it
    /// counts one operation per logical call and the attempts in <c>mellea.llm.retries</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the meter factory comes from the services when the options name none.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseMetrics(this GenerationPipelineBuilder builder, Action<MetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(services =>
        {
            var options = new MetricsOptions
            {
                MeterFactory = services.GetService(typeof(IMeterFactory)) as IMeterFactory,
                Enrichment = services.GetService(typeof(TelemetryEnrichmentOptions)) as TelemetryEnrichmentOptions,
                LoggerFactory = services.GetService(typeof(Microsoft.Extensions.Logging.ILoggerFactory)) as Microsoft.Extensions.Logging.ILoggerFactory,
            };
            configure?.Invoke(options);
            return new MetricsMiddleware(options);
        });
    }

    /// <summary>Records the metrics on <paramref name="meter"/> (tests, or an application that owns its meter).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="meter">The meter.</param>
    /// <param name="configure">Sets the other options.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseMetrics(this GenerationPipelineBuilder builder, Meter meter, Action<MetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(meter);
        return builder.UseMetrics(options =>
        {
            options.Meter = meter;
            configure?.Invoke(options);
        });
    }
}
