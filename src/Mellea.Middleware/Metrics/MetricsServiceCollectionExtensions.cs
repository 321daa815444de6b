using System.Diagnostics.Metrics;

using Mellea;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>metrics</c> middleware for configuration-built pipelines.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>The name configuration uses for the metrics middleware in <c>Mellea:Middlewares</c>.</summary>
    public const string MiddlewareName = "metrics";

    /// <summary>
    /// Lets configuration list <c>"metrics"</c> among a pipeline's middlewares. The middleware takes the application's
    /// <see cref="IMeterFactory"/>, <see cref="ILoggerFactory"/> and <see cref="TelemetryEnrichmentOptions"/> when registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options of every pipeline's metrics middleware.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMelleaMetrics(this IServiceCollection services, Action<MetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddGenerationMiddleware(MiddlewareName, (_, sp) =>
        {
            var options = new MetricsOptions
            {
                MeterFactory = sp.GetService<IMeterFactory>(),
                Enrichment = sp.GetService<TelemetryEnrichmentOptions>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            };
            configure?.Invoke(options);
            return new MetricsMiddleware(options);
        });
    }
}
