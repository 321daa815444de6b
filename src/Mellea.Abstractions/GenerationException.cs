using System.Globalization;

namespace Mellea;

/// <summary>
/// The one exception every backend maps its failures onto: a low-cardinality <see cref="Category"/>, the HTTP status
/// and provider error code where known, <c>Retry-After</c> where given, the provider's request id, and whether a retry
/// could succeed.
/// </summary>
/// <remarks>
/// The message is written for people and safe for logs: backends never put API keys, bearer or IAM tokens, or
/// Authorization headers into it, and they scrub a key the provider echoes back.
/// </remarks>
public sealed class GenerationException : Exception
{
    private readonly bool? _isRetryable;

    /// <summary>Creates an exception.</summary>
    /// <param name="category">The category.</param>
    /// <param name="message">A message that names what failed and what to do; never a secret.</param>
    /// <param name="innerException">The cause.</param>
    public GenerationException(ErrorCategory category, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Category = category;
    }

    /// <summary>The failure category.</summary>
    public ErrorCategory Category { get; }

    /// <summary>The HTTP status, when the provider answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The provider's error code (for example <c>invalid_api_key</c>, <c>insufficient_quota</c>).</summary>
    public string? ProviderErrorCode { get; init; }

    /// <summary>The provider's error type (for example OpenAI's <c>invalid_request_error</c>).</summary>
    public string? ProviderErrorType { get; init; }

    /// <summary>The delay the provider asked for (<c>Retry-After</c> or <c>retry-after-ms</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The provider's request id (<c>x-request-id</c>, watsonx <c>trace</c>), for support tickets.</summary>
    public string? ProviderRequestId { get; init; }

    /// <summary>The provider that failed (<c>gen_ai.provider.name</c>).</summary>
    public string? ProviderName { get; init; }

    /// <summary>Whether another attempt could succeed. Defaults from <see cref="Category"/> and <see cref="StatusCode"/>.</summary>
    public bool IsRetryable
    {
        get => _isRetryable ?? ErrorClassifier.IsRetryableStatus(StatusCode, ProviderErrorCode, Category);
        init => _isRetryable = value;
    }

    /// <summary>
    /// The <c>error.type</c> value: the HTTP status code when the provider answered (<c>429</c>), otherwise the category's
    /// name (<c>transport_error</c>), unless the backend set a more precise low-cardinality value.
    /// </summary>
    public string ErrorType
    {
        get => field ?? (StatusCode is { } status ? status.ToString(CultureInfo.InvariantCulture) : Category.ToWireName());
        init;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        // The base ToString adds the stack trace and inner exceptions; the fields below are all safe to log.
        var head = $"{GetType().FullName}: [{Category.ToWireName()}] {Message}";
        var facts = $" (status={StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, code={ProviderErrorCode ?? "none"}, request_id={ProviderRequestId ?? "none"}, retryable={IsRetryable})";
        var inner = InnerException is null ? string.Empty : $"{Environment.NewLine} ---> {InnerException.GetType().FullName}: {InnerException.Message}";
        return head + facts + inner + Environment.NewLine + StackTrace;
    }
}
