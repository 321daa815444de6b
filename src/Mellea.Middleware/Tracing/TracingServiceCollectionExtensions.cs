using Mellea;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>tracing</c> middleware for configuration-built pipelines.</summary>
public static class TracingServiceCollectionExtensions
{
    /// <summary>The name configuration uses for the tracing middleware in <c>Mellea:Middlewares</c>.</summary>
    public const string MiddlewareName = "tracing";

    /// <summary>The configuration section of its options (<c>Mellea:Tracing</c>).</summary>
    public const string SectionName = "Tracing";

    /// <summary>
    /// Lets configuration list <c>"tracing"</c> among a pipeline's middlewares. Options bind from the pipeline's
    /// <c>Tracing</c> section (<c>CaptureContent</c>, <c>MaxContentLength</c>, <c>ChunkEvents</c>), then
    /// <paramref name="configure"/> runs; a registered <see cref="TelemetryEnrichmentOptions"/> is shared with metrics.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options of every pipeline's tracing middleware.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMelleaTracing(this IServiceCollection services, Action<TracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddGenerationMiddleware(MiddlewareName, (settings, sp) =>
        {
            var options = new TracingOptions
            {
                Enrichment = sp.GetService<TelemetryEnrichmentOptions>(),
                LoggerFactory = sp.GetService<ILoggerFactory>(),
            };
            var section = settings.GetMiddlewareSection(SectionName);
            options.CaptureContent = section.GetValue<bool?>(nameof(TracingOptions.CaptureContent));
            options.ChunkEvents = section.GetValue<bool?>(nameof(TracingOptions.ChunkEvents));
            if (section.GetValue<int?>(nameof(TracingOptions.MaxContentLength)) is { } max)
            {
                options.MaxContentLength = max;
            }

            configure?.Invoke(options);
            return new TracingMiddleware(options);
        });
    }
}
