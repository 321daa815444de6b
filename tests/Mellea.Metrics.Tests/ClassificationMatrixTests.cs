using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Polly.Timeout;

namespace Mellea.Metrics.Tests;

/// <summary>The one classification that tracing, metrics and retry share: status codes × exception types → category, error.type, retryable.</summary>
public sealed class ClassificationMatrixTests
{
    public static TheoryData<int, ErrorCategory, bool> Statuses => new()
    {
        { 400, ErrorCategory.InvalidRequest, false },
        { 401, ErrorCategory.Auth, false },
        { 403, ErrorCategory.Auth, false },
        { 404, ErrorCategory.InvalidRequest, false },
        { 408, ErrorCategory.Timeout, true },
        { 409, ErrorCategory.InvalidRequest, false },
        { 422, ErrorCategory.InvalidRequest, false },
        { 429, ErrorCategory.RateLimit, true },
        { 500, ErrorCategory.ServerError, true },
        { 501, ErrorCategory.ServerError, false },
        { 502, ErrorCategory.ServerError, true },
        { 503, ErrorCategory.ServerError, true },
        { 504, ErrorCategory.Timeout, true },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void A_generation_exception_is_classified_by_its_status(int status, ErrorCategory category, bool retryable)
    {
        var classification = ErrorClassifier.Classify(TestHandlers.Status(status));

        classification.Category.Should().Be(category);
        classification.ErrorType.Should().Be(status.ToString());
        classification.IsRetryable.Should().Be(retryable);
        classification.IsCancellation.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public void A_raw_http_exception_with_a_status_is_classified_the_same_way(int status, ErrorCategory category, bool retryable)
    {
        var classification = ErrorClassifier.Classify(new HttpRequestException("failed", null, (HttpStatusCode)status));

        classification.Category.Should().Be(category);
        classification.ErrorType.Should().Be(status.ToString());
        classification.IsRetryable.Should().Be(retryable);
    }

    [Theory]
    [InlineData(400, "content_policy_violation")]
    [InlineData(400, "content_filter")]
    [InlineData(403, "guardrail_intervened")]
    public void A_content_policy_refusal_is_never_retried(int status, string code)
    {
        var classification = ErrorClassifier.Classify(TestHandlers.Status(status, code: code));

        classification.Category.Should().Be(ErrorCategory.ContentPolicy);
        classification.IsRetryable.Should().BeFalse();
    }

    [Theory]
    [InlineData("insufficient_quota")]
    [InlineData("budget_exceeded")]
    public void A_429_that_means_out_of_money_is_a_rate_limit_that_is_not_retried(string code)
    {
        var classification = ErrorClassifier.Classify(TestHandlers.Status(429, code: code));

        classification.Category.Should().Be(ErrorCategory.RateLimit);
        classification.ErrorType.Should().Be("429");
        classification.IsRetryable.Should().BeFalse();
    }

    [Fact]
    public void Retry_after_travels_with_the_classification()
    {
        ErrorClassifier.Classify(TestHandlers.Status(429, TimeSpan.FromSeconds(7))).RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
    }

    public static TheoryData<Exception, ErrorCategory, string, bool> Exceptions => new()
    {
        { new HttpRequestException("connection refused"), ErrorCategory.TransportError, "transport_error", true },
        { new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset)), ErrorCategory.TransportError, "transport_error", true },
        { new SocketException((int)SocketError.ConnectionRefused), ErrorCategory.TransportError, "transport_error", true },
        { new IOException("broken pipe"), ErrorCategory.TransportError, "transport_error", true },
        { new TimeoutException(), ErrorCategory.Timeout, "timeout", true },
        { new TaskCanceledException("HttpClient.Timeout", new TimeoutException()), ErrorCategory.Timeout, "timeout", true },
        { new TimeoutRejectedException(), ErrorCategory.Timeout, "timeout", true },
        { new JsonException("bad body"), ErrorCategory.TransportError, "malformed_response", false },
        { new ArgumentException("bad", "request"), ErrorCategory.InvalidRequest, "invalid_request", false },
        { new GenerationStreamAbandonedException(), ErrorCategory.Cancelled, "abandoned", false },
        { new OperationCanceledException(), ErrorCategory.Cancelled, "cancelled", false },
        { new RateLimitExceededException(), ErrorCategory.RateLimit, "rate_limit", true },
        { new UnauthorizedProviderException(), ErrorCategory.Auth, "auth", false },
        { new AggregateException(new TimeoutException()), ErrorCategory.Timeout, "timeout", true },
        { new InvalidOperationException("bug"), ErrorCategory.Unknown, "System.InvalidOperationException", false },
        { new GenerationException(ErrorCategory.TransportError, "reset"), ErrorCategory.TransportError, "transport_error", true },
        { new GenerationException(ErrorCategory.Timeout, "slow"), ErrorCategory.Timeout, "timeout", true },
        { new GenerationException(ErrorCategory.Auth, "no key"), ErrorCategory.Auth, "auth", false },
    };

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void An_exception_type_is_classified(Exception exception, ErrorCategory category, string errorType, bool retryable)
    {
        var classification = ErrorClassifier.Classify(exception);

        classification.Category.Should().Be(category);
        classification.ErrorType.Should().Be(errorType);
        classification.IsRetryable.Should().Be(retryable);
    }

    [Fact]
    public void A_cancellation_is_the_callers_only_when_the_callers_token_fired()
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();
        var timeoutLike = new TaskCanceledException("timed out", new TimeoutException());

        ErrorClassifier.Classify(timeoutLike, caller.Token).Category.Should().Be(ErrorCategory.Cancelled);
        ErrorClassifier.Classify(timeoutLike, CancellationToken.None).Category.Should().Be(ErrorCategory.Timeout);
        ErrorClassifier.Classify(new OperationCanceledException(caller.Token), caller.Token).IsRetryable.Should().BeFalse();
    }

    private sealed class RateLimitExceededException : Exception;

    private sealed class UnauthorizedProviderException : Exception;
}
