namespace Mellea.Testing;

/// <summary>A whole (non-streamed) response that a wire format rendered.</summary>
public sealed class EmulatorResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="body">The body text.</param>
    /// <param name="contentType">The content type.</param>
    public EmulatorResponse(int statusCode, string body, string contentType = "application/json")
    {
        StatusCode = statusCode;
        Body = body ?? throw new ArgumentNullException(nameof(body));
        ContentType = contentType ?? throw new ArgumentNullException(nameof(contentType));
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The body text.</summary>
    public string Body { get; }

    /// <summary>The content type.</summary>
    public string ContentType { get; }

    /// <summary>Headers to add (for example <c>Retry-After</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => $"HTTP {StatusCode} ({Body.Length} chars)";
}
