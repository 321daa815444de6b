using System.Diagnostics;

namespace Mellea;

/// <summary>
/// One call as it passes through the pipeline: the operation, the request, the answer, the stream's sink, and the
/// per-call measurement that tracing and metrics share, so that a span and its metrics report the same numbers.
/// </summary>
/// <remarks>
/// The pipeline creates and reuses contexts; a middleware must not keep one after <c>next</c> has returned.
/// A context is used by one call at a time and is not thread-safe.
/// </remarks>
public sealed class GenerationContext
{
    private static readonly GenerationUpdateSink NotStreaming = new NotStreamingSink();

    private ChatRequest? _chatRequest;
    private RawCompletionRequest? _rawRequest;
    private GenerationUpdateSink _updates = NotStreaming;
    private Dictionary<object, object?>? _items;
    private int _observerDepth;

    internal GenerationContext(GenerationHandlerInfo handler, TimeProvider timeProvider)
    {
        Handler = handler;
        TimeProvider = timeProvider;
    }

    /// <summary>The operation.</summary>
    public GenerationOperation Operation { get; private set; }

    /// <summary>Whether this is a streamed chat.</summary>
    public bool IsStreaming => Operation == GenerationOperation.StreamChat;

    /// <summary>What the innermost handler talks to.</summary>
    public GenerationHandlerInfo Handler { get; }

    /// <summary>The clock of the pipeline. Tests pass a fake one; nothing in the pipeline reads the system clock directly.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// The token the call runs on: the caller's, or one a middleware put in its place (the retry middleware hands each attempt
    /// a token that its timeouts also cancel).
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The caller's own cancellation token, as the call entered the pipeline; no middleware replaces it. Classify a failure
    /// against it (<see cref="ClassifyFailure"/>): a cancellation the caller did not ask for is a timeout.
    /// </summary>
    public CancellationToken CallerCancellationToken { get; private set; }

    /// <summary>
    /// Classifies a failure of this call as <see cref="ErrorClassifier.Classify(Exception, CancellationToken)"/> does, against <see cref="CallerCancellationToken"/>:
    /// a cancellation is the caller's only when the caller's token fired, so a timeout of a middleware (the retry middleware's
    /// per-attempt timeout) reads as a timeout to every middleware, whatever their order, even when the caller passed no token.
    /// </summary>
    /// <param name="failure">The failure.</param>
    public ErrorClassification ClassifyFailure(Exception failure) =>
        ErrorClassifier.ClassifyAgainst(failure, callerTokenKnown: true, CallerCancellationToken);

    /// <summary>The chat request, for <see cref="GenerationOperation.Chat"/> and <see cref="GenerationOperation.StreamChat"/>. A middleware may replace it (never mutate it).</summary>
    /// <exception cref="InvalidOperationException">Read or set on a raw completion.</exception>
    public ChatRequest ChatRequest
    {
        get => _chatRequest ?? throw new InvalidOperationException("This call is a raw completion; it has no chat request.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Operation == GenerationOperation.RawCompletion)
            {
                throw new InvalidOperationException("This call is a raw completion; it has no chat request.");
            }

            _chatRequest = value;
        }
    }

    /// <summary>The raw request, for <see cref="GenerationOperation.RawCompletion"/>. A middleware may replace it.</summary>
    /// <exception cref="InvalidOperationException">Read or set on a chat call.</exception>
    public RawCompletionRequest RawRequest
    {
        get => _rawRequest ?? throw new InvalidOperationException("This call is a chat; it has no raw completion request.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (Operation != GenerationOperation.RawCompletion)
            {
                throw new InvalidOperationException("This call is a chat; it has no raw completion request.");
            }

            _rawRequest = value;
        }
    }

    /// <summary>The options of the current request, whichever the operation.</summary>
    public GenerationOptions? Options => Operation == GenerationOperation.RawCompletion ? _rawRequest?.Options : _chatRequest?.Options;

    /// <summary>The template the request's prompt was made from, if the request carries one.</summary>
    public PromptTemplate? PromptTemplate => Operation == GenerationOperation.RawCompletion ? _rawRequest?.PromptTemplate : _chatRequest?.PromptTemplate;

    /// <summary>The model the call asks for: the request's model, or the handler's default.</summary>
    public string? RequestModel => Options?.ModelId ?? Handler.DefaultModelId;

    /// <summary>The answer of a chat call. Set by the handler, or by a middleware that answers itself.</summary>
    public ChatResponse? ChatResponse { get; set; }

    /// <summary>The answer of a raw completion.</summary>
    public RawCompletionResponse? RawResponse { get; set; }

    /// <summary>
    /// The metadata of the answer, whichever the operation: the response's, or for a stream the final update's.
    /// <see langword="null"/> until the answer is known, and after a failure.
    /// </summary>
    public GenerationMetadata? Metadata
    {
        get => field ?? ChatResponse?.Metadata ?? RawResponse?.Metadata;
        set;
    }

    /// <summary>Where a stream's updates go. Replace it with a forwarding sink to watch the stream; restore it in a <c>finally</c>.</summary>
    /// <exception cref="InvalidOperationException">Read on a call that does not stream.</exception>
    public GenerationUpdateSink Updates
    {
        get => _updates;
        set => _updates = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The attempts after the first, as the retry middleware counts them.</summary>
    public int RetryCount { get; set; }

    /// <summary>The generation span, while the tracing middleware has one open. Inner middlewares add events to it (retries).</summary>
    public Activity? GenerationActivity { get; set; }

    /// <summary>Per-call values for middlewares to share. Allocated on first use.</summary>
    public IDictionary<object, object?> Items => _items ??= [];

    /// <summary>When the measurement began (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; private set; }

    /// <summary>When the first update reached the caller's side of the pipeline, or 0.</summary>
    public long FirstChunkTimestamp { get; private set; }

    /// <summary>When the call ended, or 0 while it runs.</summary>
    public long EndTimestamp { get; private set; }

    /// <summary>How many updates reached the caller's side of the pipeline.</summary>
    public int ChunkCount { get; private set; }

    /// <summary>For streams, the time from the start of the measurement to the first update.</summary>
    public TimeSpan? TimeToFirstChunk => FirstChunkTimestamp == 0 ? null : TimeProvider.GetElapsedTime(StartTimestamp, FirstChunkTimestamp);

    /// <summary>
    /// Begins the shared measurement. The outermost observer (tracing or metrics) starts the clock; observers inside it
    /// share that start, so a span and its metrics measure the same interval. Pair every call with <see cref="EndObservation"/>.
    /// </summary>
    public void BeginObservation()
    {
        if (_observerDepth++ == 0)
        {
            StartTimestamp = TimeProvider.GetTimestamp();
            FirstChunkTimestamp = 0;
            EndTimestamp = 0;
            ChunkCount = 0;
        }
    }

    /// <summary>Ends one observer's share of the measurement.</summary>
    public void EndObservation() => _observerDepth = Math.Max(0, _observerDepth - 1);

    /// <summary>
    /// Stamps the end of the call if no observer has yet, and returns the duration. The innermost observer to finish
    /// stamps it and the outer ones reuse the stamp, so every observer reports the same duration.
    /// </summary>
    public TimeSpan EnsureEnded()
    {
        if (EndTimestamp == 0)
        {
            EndTimestamp = TimeProvider.GetTimestamp();
        }

        return TimeProvider.GetElapsedTime(StartTimestamp, EndTimestamp);
    }

    /// <summary>Records that an update reached the caller's side of the pipeline.</summary>
    internal void RecordChunk(ChatResponseUpdate update)
    {
        if (ChunkCount++ == 0)
        {
            FirstChunkTimestamp = TimeProvider.GetTimestamp();
        }

        if (update.Metadata is { } metadata)
        {
            Metadata = metadata;
        }
    }

    /// <summary>
    /// Marks the start of one attempt at the handler: a retry's new attempt clears an end stamp that an observer inside
    /// the retry made for the previous attempt.
    /// </summary>
    internal void BeginHandlerAttempt() => EndTimestamp = 0;

    internal void Initialize(GenerationOperation operation, ChatRequest? chat, RawCompletionRequest? raw, CancellationToken cancellationToken)
    {
        Operation = operation;
        _chatRequest = chat;
        _rawRequest = raw;
        CancellationToken = cancellationToken;
        CallerCancellationToken = cancellationToken;
    }

    internal void SetStreamSink(GenerationUpdateSink sink) => _updates = sink;

    internal void Reset()
    {
        _chatRequest = null;
        _rawRequest = null;
        _updates = NotStreaming;
        _items = null;
        _observerDepth = 0;
        ChatResponse = null;
        RawResponse = null;
        Metadata = null;
        CancellationToken = default;
        CallerCancellationToken = default;
        RetryCount = 0;
        GenerationActivity = null;
        StartTimestamp = 0;
        FirstChunkTimestamp = 0;
        EndTimestamp = 0;
        ChunkCount = 0;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Operation.ToOperationName()} {RequestModel} via {Handler.ProviderName}";

    private sealed class NotStreamingSink : GenerationUpdateSink
    {
        public override ValueTask WriteAsync(ChatResponseUpdate update) =>
            throw new InvalidOperationException("This call does not stream; set ChatResponse or RawResponse instead of writing updates.");
    }
}
