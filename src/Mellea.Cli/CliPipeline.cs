namespace Mellea.Cli;

/// <summary>
/// The pipeline every command-line call runs through: tracing outermost (one span per logical call), metrics (one
/// operation per logical call), then retry, in the order the middlewares' docs ask for.
/// </summary>
internal static class CliPipeline
{
    /// <summary>Wraps <paramref name="backend"/> in tracing, metrics and retry.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="maxRetries">The retries after the first attempt (<c>--retries</c>).</param>
    /// <param name="attempts">Receives the retries the last call took, for the failure line ("gave up after 3 attempts").</param>
    public static GenerationPipeline Build(IGenerationHandler backend, int maxRetries, RetryTally attempts)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(attempts);
        return backend.AsBuilder()
            .UseTracing()
            .UseMetrics()
            .Use(attempts.Middleware)
            .UseRetry(options => options.MaxRetries = maxRetries)
            .Build();
    }
}
