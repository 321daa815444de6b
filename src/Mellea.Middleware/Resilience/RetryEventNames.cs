namespace Mellea;

/// <summary>
/// The span event the <see cref="RetryMiddleware"/> adds to the open generation span (<see cref="GenerationContext.GenerationActivity"/>)
/// before each retry, and its attributes. With tracing outside retry (the default order) one logical span carries one event per retry.
/// </summary>
public static class RetryEventNames
{
    /// <summary>The event's name: <c>mellea.retry</c>.</summary>
    public const string EventName = "mellea.retry";

    /// <summary><c>mellea.retry.attempt</c> (int): the retry's number, 1 for the first retry (the second attempt).</summary>
    public const string Attempt = "mellea.retry.attempt";

    /// <summary><c>mellea.retry.delay</c> (double, seconds): the wait before the retry.</summary>
    public const string Delay = "mellea.retry.delay";

    /// <summary><c>mellea.retry.retry_after</c> (bool): whether the provider's <c>Retry-After</c> set the delay, rather than the back-off.</summary>
    public const string FromRetryAfter = "mellea.retry.retry_after";

    /// <summary><c>error.type</c>: the failure of the attempt that is retried, as <see cref="ErrorClassifier"/> names it.</summary>
    public const string ErrorType = GenAiAttributes.ErrorType;
}
