namespace Mellea.Testing;

/// <summary>The kinds of <see cref="EmulatorFault"/>.</summary>
public enum EmulatorFaultKind
{
    /// <summary>Answer with an error status and the provider's error body.</summary>
    Status,

    /// <summary>Answer 200 with a body (or a stream event) that is not valid JSON.</summary>
    MalformedJson,

    /// <summary>Send some stream chunks, then cut the connection.</summary>
    DropConnection,

    /// <summary>Send some stream chunks, then the provider's error event (status stays 200), then end.</summary>
    ErrorEvent,

    /// <summary>Abort the connection before any response byte (no status line, no headers).</summary>
    ResetBeforeHeaders,

    /// <summary>End the response cleanly but early: a stream stops after some chunks (no end marker), a body stops half way.</summary>
    Truncated,

    /// <summary>Answer 200 with an empty body (<c>Content-Length: 0</c>), streamed or not.</summary>
    EmptyBody,
}

/// <summary>A failure the emulator plays instead of, or in the middle of, a scripted answer.</summary>
public sealed class EmulatorFault
{
    private EmulatorFault(EmulatorFaultKind kind) => Kind = kind;

    /// <summary>The kind.</summary>
    public EmulatorFaultKind Kind { get; }

    /// <summary>The HTTP status (<see cref="EmulatorFaultKind.Status"/>), or the status an error event reports.</summary>
    public int StatusCode { get; private init; } = 500;

    /// <summary>The <c>Retry-After</c> the status sends, in whole seconds.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>The provider's error message.</summary>
    public string? Message { get; private init; }

    /// <summary>The provider's error code; <see langword="null"/> lets the format pick its usual code for the status.</summary>
    public string? Code { get; private init; }

    /// <summary>The provider's error type; <see langword="null"/> lets the format pick its usual type for the status.</summary>
    public string? Type { get; private init; }

    /// <summary>How many stream chunks are sent before a <see cref="EmulatorFaultKind.DropConnection"/> or <see cref="EmulatorFaultKind.ErrorEvent"/>.</summary>
    public int AfterChunks { get; private init; }

    /// <summary>Answer with <paramref name="statusCode"/> and the format's error body.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="retryAfter">Sent as <c>Retry-After</c> in seconds.</param>
    /// <param name="message">The error message (the provider may echo request data in it; tests use that to check scrubbing).</param>
    /// <param name="code">The error code.</param>
    /// <param name="type">The error type.</param>
    public static EmulatorFault Status(int statusCode, TimeSpan? retryAfter = null, string? message = null, string? code = null, string? type = null)
    {
        if (statusCode is < 400 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "An error status is 4xx or 5xx.");
        }

        return new(EmulatorFaultKind.Status) { StatusCode = statusCode, RetryAfter = retryAfter, Message = message, Code = code, Type = type };
    }

    /// <summary>Answer 200 with JSON that is cut off (a non-stream body, or the first stream event).</summary>
    public static EmulatorFault MalformedJson() => new(EmulatorFaultKind.MalformedJson);

    /// <summary>Send <paramref name="afterChunks"/> stream chunks, then abort the connection.</summary>
    /// <param name="afterChunks">Chunks sent first; 0 drops before any chunk.</param>
    public static EmulatorFault DropConnection(int afterChunks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterChunks);
        return new(EmulatorFaultKind.DropConnection) { AfterChunks = afterChunks };
    }

    /// <summary>Send <paramref name="afterChunks"/> stream chunks, then the format's error event, then end the stream.</summary>
    /// <param name="afterChunks">Chunks sent first.</param>
    /// <param name="message">The error message.</param>
    /// <param name="statusCode">The status the error reports (LiteLLM puts it in <c>code</c>).</param>
    /// <param name="type">The error type.</param>
    public static EmulatorFault ErrorEvent(int afterChunks = 1, string message = "The server had an error while processing your request.", int statusCode = 500, string? type = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterChunks);
        return new(EmulatorFaultKind.ErrorEvent) { AfterChunks = afterChunks, Message = message, StatusCode = statusCode, Type = type };
    }

    /// <summary>Abort the connection as soon as the request has been read: the client gets no status line and no headers.</summary>
    public static EmulatorFault ResetBeforeHeaders() => new(EmulatorFaultKind.ResetBeforeHeaders);

    /// <summary>
    /// End the answer cleanly but early: a stream sends <paramref name="afterChunks"/> chunks and then completes without its end
    /// marker (no <c>[DONE]</c>, no final <c>done</c> line or details event); a non-stream body is cut in half with a matching
    /// <c>Content-Length</c>, so the connection stays healthy and only the content is incomplete.
    /// </summary>
    /// <param name="afterChunks">Stream chunks sent before the end.</param>
    public static EmulatorFault Truncated(int afterChunks = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterChunks);
        return new(EmulatorFaultKind.Truncated) { AfterChunks = afterChunks };
    }

    /// <summary>Answer 200 with no body at all, streamed or not.</summary>
    public static EmulatorFault EmptyBody() => new(EmulatorFaultKind.EmptyBody);

    /// <inheritdoc/>
    public override string ToString() => $"fault {Kind}";
}
