namespace Mellea;

/// <summary>Adds <see cref="RetryMiddleware"/> to a pipeline.</summary>
public static class RetryBuilderExtensions
{
    /// <summary>
    /// Retries transient failures (see <see cref="RetryMiddleware"/>). Add it after <c>UseTracing</c> and <c>UseMetrics</c> so that
    /// one span and one operation cover the attempts.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options; the defaults follow the OpenAI SDKs.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range (thrown when the pipeline is built).</exception>
    public static GenerationPipelineBuilder UseRetry(this GenerationPipelineBuilder builder, Action<RetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RetryOptions();
        configure?.Invoke(options);
        var middleware = new RetryMiddleware(options);
        return builder.Use(middleware);
    }
}
