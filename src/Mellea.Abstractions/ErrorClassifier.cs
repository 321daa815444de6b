using System.Net.Sockets;
using System.Text.Json;

namespace Mellea;

/// <summary>
/// The single place that maps a failure (an exception, an HTTP status, a provider code) to a category, an
/// <c>error.type</c> value, and retryability. Tracing, metrics, retry and every backend use it.
/// </summary>
public static class ErrorClassifier
{
    /// <summary>Classifies an exception.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="callerToken">The caller's token: an <see cref="OperationCanceledException"/> is the caller's cancellation only when this token fired; otherwise it is a timeout.</param>
    public static ErrorClassification Classify(Exception exception, CancellationToken callerToken = default) =>
        ClassifyAgainst(exception, callerTokenKnown: callerToken.CanBeCanceled, callerToken);

    /// <param name="exception">The failure.</param>
    /// <param name="callerToken">The caller's token.</param>
    /// <param name="callerTokenKnown">
    /// Whether <paramref name="callerToken"/> is certainly the caller's, even when it cannot be cancelled (a pipeline knows the
    /// token its caller passed). Then a cancellation whose own token fired while the caller's did not is a timeout; a default
    /// token passed by code that does not know the caller's says nothing.
    /// </param>
    internal static ErrorClassification ClassifyAgainst(Exception exception, bool callerTokenKnown, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case GenerationException generation:
                return new(generation.Category, generation.ErrorType, generation.IsRetryable, generation.RetryAfter);
            case GenerationStreamAbandonedException:
                return new(ErrorCategory.Cancelled, "abandoned", false, null);
            case OperationCanceledException when callerToken.IsCancellationRequested || exception.InnerException is not TimeoutException && !IsTimeoutName(exception) && !(callerTokenKnown && CancelledByAnotherToken(exception, callerToken)):
                return new(ErrorCategory.Cancelled, "cancelled", false, null);
            case OperationCanceledException:
            case TimeoutException:
                return new(ErrorCategory.Timeout, "timeout", true, null);
            case HttpRequestException { StatusCode: { } status } http:
                var category = CategorizeStatus((int)status, null);
                return new(category, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), IsRetryableStatus((int)status, null, category), null);
            case HttpRequestException:
            case SocketException:
            case IOException:
                return new(ErrorCategory.TransportError, "transport_error", true, null);
            case JsonException:
                return new(ErrorCategory.TransportError, "malformed_response", false, null);
            case ArgumentException:
                return new(ErrorCategory.InvalidRequest, "invalid_request", false, null);
        }

        // Class-name heuristics, as Python Mellea's classify_error, for exceptions from libraries we do not reference
        // (Polly's TimeoutRejectedException, an IChatClient provider's RateLimitException, …).
        var name = exception.GetType().Name.ToLowerInvariant();
        var heuristic = name switch
        {
            _ when name.Contains("ratelimit") || name.Contains("rate_limit") => ErrorCategory.RateLimit,
            _ when IsTimeoutName(exception) => ErrorCategory.Timeout,
            _ when name.Contains("auth") || name.Contains("unauthorized") => ErrorCategory.Auth,
            _ when name.Contains("content") && name.Contains("policy") => ErrorCategory.ContentPolicy,
            _ when name.Contains("connection") || name.Contains("network") || name.Contains("transport") => ErrorCategory.TransportError,
            _ => ErrorCategory.Unknown,
        };
        if (exception.InnerException is { } inner && heuristic == ErrorCategory.Unknown && exception is AggregateException or System.Reflection.TargetInvocationException)
        {
            return ClassifyAgainst(inner, callerTokenKnown, callerToken);
        }

        return heuristic == ErrorCategory.Unknown
            ? new(ErrorCategory.Unknown, exception.GetType().FullName ?? "_OTHER", false, null)
            : new(heuristic, heuristic.ToWireName(), heuristic is ErrorCategory.RateLimit or ErrorCategory.Timeout or ErrorCategory.TransportError, null);
    }

    /// <summary>Maps an HTTP status (and the provider's error code, which can refine it) to a category.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="providerErrorCode">The provider's error code, if any.</param>
    public static ErrorCategory CategorizeStatus(int statusCode, string? providerErrorCode)
    {
        if (providerErrorCode is not null && IsContentPolicyCode(providerErrorCode))
        {
            return ErrorCategory.ContentPolicy;
        }

        return statusCode switch
        {
            401 or 403 => ErrorCategory.Auth,
            408 or 504 => ErrorCategory.Timeout,
            429 => ErrorCategory.RateLimit,
            >= 500 and <= 599 => ErrorCategory.ServerError,
            >= 400 and <= 499 => ErrorCategory.InvalidRequest,
            _ => ErrorCategory.Unknown,
        };
    }

    /// <summary>
    /// Whether a failure with this status, code and category can succeed on another attempt: 408, 429, 500, 502, 503 and 504,
    /// connection failures and timeouts. Never 400, 401, 403, 404, a content-policy refusal, an exhausted quota or budget, or a cancellation.
    /// </summary>
    /// <param name="statusCode">The HTTP status, if the provider answered.</param>
    /// <param name="providerErrorCode">The provider's error code, if any.</param>
    /// <param name="category">The category.</param>
    public static bool IsRetryableStatus(int? statusCode, string? providerErrorCode, ErrorCategory category)
    {
        if (category is ErrorCategory.ContentPolicy or ErrorCategory.Auth or ErrorCategory.InvalidRequest or ErrorCategory.Cancelled)
        {
            return false;
        }

        // A 429 that means "out of money" never clears by waiting.
        if (providerErrorCode is "insufficient_quota" or "budget_exceeded")
        {
            return false;
        }

        return statusCode switch
        {
            null => category is ErrorCategory.TransportError or ErrorCategory.Timeout or ErrorCategory.RateLimit or ErrorCategory.ServerError,
            408 or 429 or 500 or 502 or 503 or 504 => true,
            _ => false,
        };
    }

    private static bool IsContentPolicyCode(string code) =>
        code.Contains("content_policy", StringComparison.OrdinalIgnoreCase)
        || code.Contains("content_filter", StringComparison.OrdinalIgnoreCase)
        || code.Contains("guardrail", StringComparison.OrdinalIgnoreCase);

    // A cancellation whose own token fired while the caller's did not was asked for by someone else: a timeout (the retry
    // middleware's per-attempt timeout, as the middlewares inside it see it).
    private static bool CancelledByAnotherToken(Exception exception, CancellationToken callerToken) =>
        exception is OperationCanceledException { CancellationToken: { IsCancellationRequested: true } own } && own != callerToken;

    private static bool IsTimeoutName(Exception exception) =>
        exception.GetType().Name.Contains("Timeout", StringComparison.OrdinalIgnoreCase);
}
