using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Mellea.Backends.Http;

/// <summary>
/// Maps every way an HTTP provider call can fail onto <see cref="GenerationException"/>: an error status with the provider's
/// body, an error event inside a 200 stream, a broken connection, a timeout, an unreadable body. Messages are scrubbed of the
/// secret and never include request content.
/// </summary>
public static class ProviderErrors
{
    /// <summary>The most bytes of an error body that are read; providers' error bodies are small, a misbehaving proxy's may not be.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>
    /// Reads a non-success response's body (at most <see cref="MaxErrorBodyBytes"/>) and builds the exception: category from the
    /// status and the provider's code, the provider's message, code and type, <c>Retry-After</c>, and the request id.
    /// </summary>
    /// <param name="response">The response; its body is read but the response is not disposed.</param>
    /// <param name="context">The backend's error context.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    public static async Task<GenerationException> FromResponseAsync(HttpResponseMessage response, ProviderErrorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(context);
        byte[] body;
        try
        {
            body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status already says what failed; a body cut short adds nothing to it.
            body = [];
        }

        var details = ProviderErrorDetails.Parse(body);
        var status = (int)response.StatusCode;
        var reason = details?.ReasonCode;
        var category = ErrorClassifier.CategorizeStatus(status, reason);
        var message = details?.Message;
        if (message is null && body.Length > 0 && details is null)
        {
            message = Truncate(Encoding.UTF8.GetString(body), 300);
        }

        return new GenerationException(category, BuildMessage(context, status, details, message, category))
        {
            StatusCode = status,
            ProviderErrorCode = reason,
            ProviderErrorType = details?.Type,
            RetryAfter = RetryAfterHeaders.Read(response.Headers),
            ProviderRequestId = ReadRequestId(response, context) ?? details?.RequestId,
            ProviderName = context.ProviderName,
        };
    }

    /// <summary>
    /// Builds the exception for an error that arrived inside a stream whose status was 200 (a payload with a top-level
    /// <c>error</c>). The category comes from the error's code when it is an HTTP status (LiteLLM), else from its type; a
    /// provider failure is assumed otherwise.
    /// </summary>
    /// <param name="payload">The event's JSON.</param>
    /// <param name="context">The backend's error context.</param>
    /// <param name="response">The streaming response, for its request id; optional.</param>
    public static GenerationException FromErrorEvent(ReadOnlySpan<byte> payload, ProviderErrorContext context, HttpResponseMessage? response = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var details = ProviderErrorDetails.Parse(payload) ?? new ProviderErrorDetails { Message = "The stream carried an error event that could not be read." };
        return FromErrorDetails(details, context, response);
    }

    /// <summary>Builds the exception for an error event that the caller has already parsed.</summary>
    /// <param name="details">The error.</param>
    /// <param name="context">The backend's error context.</param>
    /// <param name="response">The streaming response, for its request id; optional.</param>
    public static GenerationException FromErrorDetails(ProviderErrorDetails details, ProviderErrorContext context, HttpResponseMessage? response = null)
    {
        ArgumentNullException.ThrowIfNull(details);
        ArgumentNullException.ThrowIfNull(context);
        var status = details.CodeAsStatus;
        var reason = details.ReasonCode;
        var category = status is { } s ? ErrorClassifier.CategorizeStatus(s, reason) : CategorizeReason(reason);
        var text = $"{context.ProviderName} reported an error after the response had started (status 200): {context.Scrub(details.Message ?? "no message")}";
        return new GenerationException(category, AppendCodes(text, details))
        {
            StatusCode = status,
            ProviderErrorCode = reason,
            ProviderErrorType = details.Type,
            ProviderRequestId = (response is null ? null : ReadRequestId(response, context)) ?? details.RequestId,
            ProviderName = context.ProviderName,
        };
    }

    /// <summary>
    /// Maps an exception thrown while sending or reading. Returns <see langword="null"/> when it must propagate unchanged:
    /// a <see cref="GenerationException"/>, or the caller's own cancellation (which stays an <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="exception">The failure.</param>
    /// <param name="context">The backend's error context.</param>
    /// <param name="callerToken">The caller's token: a cancellation it did not ask for is a timeout.</param>
    /// <param name="requestId">The provider's request id, if the response had started.</param>
    public static GenerationException? FromException(Exception exception, ProviderErrorContext context, CancellationToken callerToken, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(context);
        switch (exception)
        {
            case GenerationException:
                return null;
            case OperationCanceledException when callerToken.IsCancellationRequested:
                return null;
            case OperationCanceledException or TimeoutException:
                return new GenerationException(ErrorCategory.Timeout, $"The call to {context.ProviderName} timed out.", Sanitize(exception, context))
                {
                    ErrorType = "timeout",
                    ProviderRequestId = requestId,
                    ProviderName = context.ProviderName,
                };
            // Not only a syntax error: a value of the wrong type or size (a number too large for an int, a number where a string
            // belongs) or invalid UTF-8 surfaces from Utf8JsonReader's getters as a format, overflow, decoder or invalid-operation
            // exception. Each is the provider's malformed answer, never a bug the caller should see.
            case JsonException or FormatException or OverflowException or System.Text.DecoderFallbackException:
            case InvalidOperationException when exception.Source == "System.Text.Json" || exception.InnerException is System.Text.DecoderFallbackException:
                return new GenerationException(ErrorCategory.TransportError, $"{context.ProviderName} sent a response that is not valid JSON.", Sanitize(exception, context))
                {
                    ErrorType = "malformed_response",
                    IsRetryable = false,
                    ProviderRequestId = requestId,
                    ProviderName = context.ProviderName,
                };
            case HttpRequestException or IOException or SocketException:
                return new GenerationException(
                    ErrorCategory.TransportError,
                    $"The connection to {context.ProviderName} failed or was cut before the response was complete: {context.Scrub(exception.Message)}",
                    Sanitize(exception, context))
                {
                    ErrorType = "transport_error",
                    ProviderRequestId = requestId,
                    ProviderName = context.ProviderName,
                };
            default:
                return null;
        }
    }

    /// <summary>Returns the provider's request id from the response headers named by the context.</summary>
    /// <param name="response">The response.</param>
    /// <param name="context">The context.</param>
    public static string? ReadRequestId(HttpResponseMessage response, ProviderErrorContext context)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var header in context.RequestIdHeaders)
        {
            if (response.Headers.TryGetValues(header, out var values))
            {
                foreach (var value in values)
                {
                    if (!string.IsNullOrWhiteSpace(value))
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A category for an error that has no HTTP status: from words in its code or type, else a provider failure.</summary>
    /// <param name="reason">The code or type.</param>
    public static ErrorCategory CategorizeReason(string? reason)
    {
        if (reason is null)
        {
            return ErrorCategory.ServerError;
        }

        var byCode = ErrorClassifier.CategorizeStatus(0, reason);
        if (byCode != ErrorCategory.Unknown)
        {
            return byCode;
        }

        return reason switch
        {
            _ when reason.Contains("rate_limit", StringComparison.OrdinalIgnoreCase) || reason.Contains("throttl", StringComparison.OrdinalIgnoreCase) => ErrorCategory.RateLimit,
            _ when reason.Contains("timeout", StringComparison.OrdinalIgnoreCase) => ErrorCategory.Timeout,
            _ when reason.Contains("auth", StringComparison.OrdinalIgnoreCase) || reason.Contains("permission", StringComparison.OrdinalIgnoreCase) => ErrorCategory.Auth,
            _ when reason.Contains("invalid_request", StringComparison.OrdinalIgnoreCase) || reason.Contains("validation", StringComparison.OrdinalIgnoreCase) => ErrorCategory.InvalidRequest,
            _ => ErrorCategory.ServerError,
        };
    }

    private static string BuildMessage(ProviderErrorContext context, int status, ProviderErrorDetails? details, string? providerMessage, ErrorCategory category)
    {
        var builder = new StringBuilder();
        builder.Append(context.ProviderName).Append(" returned HTTP ").Append(status.ToString(CultureInfo.InvariantCulture));
        if (providerMessage is not null)
        {
            builder.Append(": ").Append(context.Scrub(providerMessage));
        }

        var text = details is null ? builder.ToString() : AppendCodes(builder.ToString(), details);
        if (category == ErrorCategory.Auth && context.CredentialSetting is { } setting)
        {
            text += $" Check the credential in {setting}.";
        }

        return text;
    }

    private static string AppendCodes(string text, ProviderErrorDetails details)
    {
        if (details.Type is null && details.Code is null && details.Param is null)
        {
            return text;
        }

        return $"{text} (type={details.Type ?? "none"}, code={details.Code ?? "none"}{(details.Param is null ? string.Empty : ", param=" + details.Param)})";
    }

    private static Exception Sanitize(Exception exception, ProviderErrorContext context)
    {
        // Inner exceptions end up in ToString(); keep them only when they cannot carry the secret.
        if (!context.HasSecrets || !context.ContainsSecret(exception.ToString()))
        {
            return exception;
        }

        return new IOException(context.Scrub(exception.Message));
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[4096];
            using var collected = new MemoryStream();
            while (collected.Length < MaxErrorBodyBytes)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, MaxErrorBodyBytes - collected.Length)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                collected.Write(buffer, 0, read);
            }

            return collected.ToArray();
        }
    }
}
