using Microsoft.Extensions.Logging;

namespace Mellea;

/// <summary>Options of <see cref="TracingMiddleware"/> and of the tool spans it shares a content policy with.</summary>
public sealed class TracingOptions
{
    /// <summary>The default cap on captured text per attribute, in characters.</summary>
    public const int DefaultMaxContentLength = 16 * 1024;

    /// <summary>
    /// Whether prompts, responses, tool definitions, tool arguments and results go on spans. <see langword="null"/>
    /// (the default) follows the environment: <c>MELLEA_TRACES_CONTENT</c> or
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c>. A value set here wins over the environment.
    /// Content is never captured by default.
    /// </summary>
    public bool? CaptureContent { get; set; }

    /// <summary>
    /// The cap on captured text per attribute, in characters (default <see cref="DefaultMaxContentLength"/>). Text beyond it is
    /// cut and marked with <c>…</c>; the JSON around it stays complete and valid.
    /// </summary>
    public int MaxContentLength
    {
        get;
        set => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxContentLength must be positive.");
    } = DefaultMaxContentLength;

    /// <summary>Edits every captured text before it is recorded (mask e-mail addresses, account numbers, …).</summary>
    public Func<string, string>? RedactContent { get; set; }

    /// <summary>
    /// Whether each streamed update gets a span event. <see langword="null"/> follows <c>MELLEA_GENERATION_CHUNK_EVENTS</c>.
    /// Off by default: a long stream would carry thousands of events.
    /// </summary>
    public bool? ChunkEvents { get; set; }

    /// <summary>Caller tags to add to spans; share the instance with the metrics middleware so both carry the same tags.</summary>
    public TelemetryEnrichmentOptions? Enrichment { get; set; }

    /// <summary>Where the environment is read from (tests pass a dictionary). Defaults to the process environment.</summary>
    public TelemetryEnvironment Environment { get; set; } = TelemetryEnvironment.Process;

    /// <summary>
    /// Where the middleware writes its one possible warning: content capture followed the deprecated
    /// <c>MELLEA_TRACE_CONTENT</c>. <c>UseTracing</c> and <c>AddMelleaTracing</c> take the registered factory when none is set.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The content decision: <see cref="CaptureContent"/> if set, else the environment.</summary>
    public bool ResolveCaptureContent() => CaptureContent ?? Environment.ContentCaptureRequested;

    /// <summary>The chunk-event decision: <see cref="ChunkEvents"/> if set, else <c>MELLEA_GENERATION_CHUNK_EVENTS</c>.</summary>
    public bool ResolveChunkEvents() => ChunkEvents ?? Environment.IsTrue("MELLEA_GENERATION_CHUNK_EVENTS");

    /// <summary>A copy, so that a middleware's settings cannot change under it.</summary>
    public TracingOptions Clone() => new()
    {
        CaptureContent = CaptureContent,
        MaxContentLength = MaxContentLength,
        RedactContent = RedactContent,
        ChunkEvents = ChunkEvents,
        Enrichment = Enrichment,
        Environment = Environment,
        LoggerFactory = LoggerFactory,
    };
}
