namespace Mellea.Reliability.Tests.Support;

/// <summary>The full pipeline (tracing &gt; metrics &gt; retry, content capture off) every reliability test drives.</summary>
internal static class Pipelines
{
    /// <summary>How much faster than real time the retry clock runs (back-offs, Retry-After, attempt timeouts).</summary>
    public const int Acceleration = 10;

    /// <summary>The per-attempt timeout, on the accelerated clock (2 s of real time).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A first byte this late is far beyond the attempt timeout (the emulator's wait ends when the client gives up).</summary>
    public static readonly TimeSpan SlowFirstByte = TimeSpan.FromMinutes(5);

    public static GenerationPipeline Full(IGenerationHandler backend, AcceleratedTimeProvider retryClock, CapturingLoggerFactory logs, bool captureContent = false) =>
        backend.AsBuilder()
            .UseTracing(options =>
            {
                options.CaptureContent = captureContent;
                options.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
            })
            .UseMetrics(options =>
            {
                options.LoggerFactory = logs;
                options.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
            })
            .UseRetry(options =>
            {
                options.MaxRetries = 2;
                options.InitialDelay = TimeSpan.FromMilliseconds(50);
                options.MaxDelay = TimeSpan.FromMilliseconds(200);
                options.UseJitter = false;
                options.AttemptTimeout = AttemptTimeout;
                options.TimeProvider = retryClock;
            })
            .Build();
}
