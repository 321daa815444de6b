using Microsoft.Extensions.Logging;

namespace Mellea;

/// <summary>Adds <see cref="TracingMiddleware"/> to a pipeline.</summary>
public static class TracingBuilderExtensions
{
    /// <summary>
    /// Adds OpenTelemetry GenAI tracing. Put it outside retry (before <c>UseRetry</c>) to get one span per logical call
    /// with the retries as events; put it inside to get one span per attempt.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the logger factory comes from the services when the options name none.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseTracing(this GenerationPipelineBuilder builder, Action<TracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TracingOptions();
        configure?.Invoke(options);
        return builder.Use(services =>
        {
            var built = options.Clone();
            built.LoggerFactory ??= services.GetService(typeof(ILoggerFactory)) as ILoggerFactory;
            return new TracingMiddleware(built);
        });
    }
}
