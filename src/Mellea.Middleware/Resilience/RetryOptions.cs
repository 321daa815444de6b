namespace Mellea;

/// <summary>
/// Options of the <see cref="RetryMiddleware"/>, bindable from the <c>Retry</c> configuration section. The defaults follow the
/// OpenAI SDKs: 2 retries, exponential back-off with jitter from 0.5 s up to 8 s, and a provider's <c>Retry-After</c> honoured up to 60 s.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>The attempts after the first. Default: 2. 0 turns retrying off (the timeouts still apply).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The back-off before the first retry when the provider gave no <c>Retry-After</c>; it doubles per retry. Default: 0.5 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The longest computed back-off. Default: 8 s. It does not cap a provider's <c>Retry-After</c>; <see cref="MaxRetryAfter"/> does.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Whether the computed back-off is randomised, so that many clients throttled together do not retry together. Default: <see langword="true"/>.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>
    /// The longest <c>Retry-After</c> (or <c>retry-after-ms</c>) the middleware waits for. A provider asking for longer fails the
    /// call at once with its rate-limit error, rather than holding the caller. Default: 60 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The time one attempt may take; an attempt that runs over is cancelled and fails as a retryable
    /// <see cref="ErrorCategory.Timeout"/>. For a stream it covers the whole stream, so set it with the caller's reading in mind.
    /// Default: <see langword="null"/> (no limit; the backend's own timeout applies).
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// The time the whole call may take, back-offs included; when it runs out the call fails with a
    /// <see cref="GenerationException"/> of category <see cref="ErrorCategory.Timeout"/>. Default: <see langword="null"/> (no limit).
    /// </summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>The clock for back-offs and timeouts. Default: <see langword="null"/>, which means the pipeline's <see cref="GenerationContext.TimeProvider"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Copies the options.</summary>
    /// <returns>A copy.</returns>
    public RetryOptions Clone() => (RetryOptions)MemberwiseClone();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">The attempt timeout is longer than the total timeout.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRetries, 100, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialDelay, TimeSpan.Zero, nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(InitialDelay, TimeSpan.FromDays(1), nameof(InitialDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, InitialDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryAfter, TimeSpan.Zero, nameof(MaxRetryAfter));
        ValidateTimeout(AttemptTimeout, nameof(AttemptTimeout));
        ValidateTimeout(TotalTimeout, nameof(TotalTimeout));
        if (AttemptTimeout is { } attempt && TotalTimeout is { } total && attempt > total)
        {
            throw new ArgumentException($"{nameof(AttemptTimeout)} ({attempt}) is longer than {nameof(TotalTimeout)} ({total}); an attempt could never use it.", nameof(AttemptTimeout));
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"RetryOptions(max_retries={MaxRetries}, initial={InitialDelay}, max={MaxDelay}, jitter={UseJitter}, max_retry_after={MaxRetryAfter}, attempt_timeout={AttemptTimeout}, total_timeout={TotalTimeout})";

    private static void ValidateTimeout(TimeSpan? timeout, string name)
    {
        // Polly's timeout strategy accepts 10 ms to 24 h.
        if (timeout is { } value && (value < TimeSpan.FromMilliseconds(10) || value > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 10 ms and 24 h.");
        }
    }
}
