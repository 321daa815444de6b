namespace Mellea;

/// <summary>The low-cardinality failure categories (<c>mellea.error.category</c>) that every backend maps onto.</summary>
public enum ErrorCategory
{
    /// <summary>Nothing else fits (<c>unknown</c>).</summary>
    Unknown,

    /// <summary>The provider throttled the call: HTTP 429 (<c>rate_limit</c>).</summary>
    RateLimit,

    /// <summary>The call or an attempt ran out of time: HTTP 408, 504, or a local timeout (<c>timeout</c>).</summary>
    Timeout,

    /// <summary>The provider refused the content (<c>content_policy</c>).</summary>
    ContentPolicy,

    /// <summary>Credentials are missing, wrong, expired or lack permission: HTTP 401, 403 (<c>auth</c>).</summary>
    Auth,

    /// <summary>The provider rejected the request: HTTP 400, 404, 409, 413, 422 (<c>invalid_request</c>).</summary>
    InvalidRequest,

    /// <summary>The connection failed, broke, or the body was cut or unreadable (<c>transport_error</c>).</summary>
    TransportError,

    /// <summary>The provider failed: HTTP 5xx (<c>server_error</c>).</summary>
    ServerError,

    /// <summary>The caller cancelled (<c>cancelled</c>). Not an error of the provider.</summary>
    Cancelled,
}

/// <summary>Wire names of <see cref="ErrorCategory"/>.</summary>
public static class ErrorCategoryExtensions
{
    /// <summary>Returns the snake_case name used in telemetry (<c>rate_limit</c>, <c>transport_error</c>, …).</summary>
    /// <param name="category">The category.</param>
    public static string ToWireName(this ErrorCategory category) => category switch
    {
        ErrorCategory.RateLimit => "rate_limit",
        ErrorCategory.Timeout => "timeout",
        ErrorCategory.ContentPolicy => "content_policy",
        ErrorCategory.Auth => "auth",
        ErrorCategory.InvalidRequest => "invalid_request",
        ErrorCategory.TransportError => "transport_error",
        ErrorCategory.ServerError => "server_error",
        ErrorCategory.Cancelled => "cancelled",
        _ => "unknown",
    };
}
