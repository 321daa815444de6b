using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mellea.Benchmarks;

/// <summary>
/// The telemetry semconv asks of one chat call, written by hand against the SDK around the bare backend, with no Mellea
/// middleware: a CLIENT span with the start and response attributes the tracing middleware sets, and the
/// <c>operation.duration</c> record and the two <c>token.usage</c> records with their attributes. Compared with the full
/// pipeline, it shows which part of a listened call is the SDK's own work, which any semconv-complete client pays.
/// </summary>
internal static class HandTelemetry
{
    private static readonly KeyValuePair<string, object?>[] StartTags =
    [
        new("gen_ai.operation.name", "chat"),
        new("gen_ai.provider.name", "openai"),
        new("gen_ai.request.model", WireFixtures.Model),
        new("server.address", "bench.invalid"),
        new("server.port", (object)80),
    ];

    private static readonly string[] FinishReasons = ["stop"];
    private static readonly object BoxedFalse = false;

    // Same meter name as the pipeline's, so the benchmarks' MeterProvider listens to these instruments too.
    private static readonly Meter Meter = new(MelleaTelemetry.MeterName);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("bench.hand.operation.duration", "s");
    private static readonly Histogram<long> Tokens = Meter.CreateHistogram<long>("bench.hand.token.usage", "{token}");
    private static readonly Histogram<double> TimeToFirstChunk = Meter.CreateHistogram<double>("bench.hand.time_to_first_chunk", "s");
    private static readonly Histogram<double> TimePerChunk = Meter.CreateHistogram<double>("bench.hand.time_per_output_chunk", "s");
    private static readonly object BoxedTrue = true;

    public static async ValueTask<long> ChatAsync(IGenerationHandler backend, ChatRequest request)
    {
        using var span = MelleaTelemetry.GenerationSource.StartActivity("chat " + WireFixtures.Model, ActivityKind.Client, default(ActivityContext), StartTags);
        var started = Stopwatch.GetTimestamp();
        var response = await backend.ChatAsync(request);
        End(span, response.Metadata, started, streaming: false);
        return response.Text.Length;
    }

    /// <summary>
    /// A stream with the same telemetry as <see cref="ChatAsync"/> plus what semconv asks of streaming: one
    /// <c>time_per_output_chunk</c> record per chunk after the first (a clock read each), and <c>time_to_first_chunk</c>.
    /// The caller's own loop reads the stream inside the span: nothing is handed over.
    /// </summary>
    public static async ValueTask<long> StreamAsync(IGenerationHandler backend, ChatRequest request)
    {
        using var span = StartStreamSpan();
        var telemetry = new StreamTelemetry();
        long chars = 0;
        await foreach (var update in backend.StreamChatAsync(request))
        {
            telemetry.Observe(update);
            chars += update.TextDelta?.Length ?? 0;
        }

        telemetry.End(span);
        return chars;
    }

    /// <summary>
    /// The same telemetry as <see cref="StreamAsync"/>, in the shape of an instrumentation that hands the stream to its caller
    /// (Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c>, and the pipeline): an async iterator that opens the span,
    /// keeps it current while it reads the backend (so the HTTP work parents under it), and yields each update to a caller
    /// whose <see cref="Activity.Current"/> it leaves alone.
    /// </summary>
    public static async ValueTask<long> StreamHandedOverAsync(IGenerationHandler backend, ChatRequest request)
    {
        long chars = 0;
        await foreach (var update in HandedOver(backend, request))
        {
            chars += update.TextDelta?.Length ?? 0;
        }

        return chars;
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> HandedOver(IGenerationHandler backend, ChatRequest request)
    {
        using var span = StartStreamSpan();
        var telemetry = new StreamTelemetry();
        await foreach (var update in backend.StreamChatAsync(request))
        {
            telemetry.Observe(update);
            yield return update;
        }

        telemetry.End(span);
    }

    private static Activity? StartStreamSpan()
    {
        var span = MelleaTelemetry.GenerationSource.StartActivity("chat " + WireFixtures.Model, ActivityKind.Client, default(ActivityContext), StartTags);
        span?.SetTag("gen_ai.request.stream", BoxedTrue);
        return span;
    }

    // What a hand-written stream instrumentation keeps between chunks.
    private struct StreamTelemetry
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly TagList _chunkTags = new(StartTags);
        private long _previous;
        private TimeSpan? _firstChunk;
        private GenerationMetadata? _metadata;

        public StreamTelemetry()
        {
        }

        public void Observe(ChatResponseUpdate update)
        {
            var now = Stopwatch.GetTimestamp();
            if (_firstChunk is null)
            {
                _firstChunk = Stopwatch.GetElapsedTime(_started, now);
            }
            else
            {
                TimePerChunk.Record(Stopwatch.GetElapsedTime(_previous, now).TotalSeconds, in _chunkTags);
            }

            _previous = now;
            _metadata = update.Metadata ?? _metadata;
        }

        public readonly void End(Activity? span)
        {
            if (_firstChunk is { } ttfc)
            {
                var common = Common(_metadata?.ResponseModel);
                TimeToFirstChunk.Record(ttfc.TotalSeconds, in common);
            }

            HandTelemetry.End(span, _metadata, _started, streaming: true);
        }
    }

    private static readonly KeyValuePair<string, object?>[] RequiredTags =
    [
        new("gen_ai.operation.name", "chat"),
        new("gen_ai.provider.name", "openai"),
        new("gen_ai.request.model", WireFixtures.Model),
    ];

    /// <summary>
    /// The floor of the same signals around one chat under the SDK: the span, the <c>operation.duration</c> record and the two
    /// <c>token.usage</c> records, each carrying only the attributes semconv requires of it and none it recommends.
    /// </summary>
    public static async ValueTask<long> FloorChatAsync(IGenerationHandler backend, ChatRequest request)
    {
        using var span = MelleaTelemetry.GenerationSource.StartActivity("chat " + WireFixtures.Model, ActivityKind.Client, default(ActivityContext), RequiredTags);
        var started = Stopwatch.GetTimestamp();
        var response = await backend.ChatAsync(request);
        FloorEnd(response.Metadata, started);
        return response.Text.Length;
    }

    /// <summary>As <see cref="FloorChatAsync"/> for a stream, with <c>time_to_first_chunk</c> and one <c>time_per_output_chunk</c> per chunk after the first.</summary>
    public static async ValueTask<long> FloorStreamAsync(IGenerationHandler backend, ChatRequest request)
    {
        using var span = MelleaTelemetry.GenerationSource.StartActivity("chat " + WireFixtures.Model, ActivityKind.Client, default(ActivityContext), RequiredTags);
        var tags = new TagList(RequiredTags);
        var started = Stopwatch.GetTimestamp();
        long previous = 0;
        TimeSpan? firstChunk = null;
        GenerationMetadata? metadata = null;
        long chars = 0;
        await foreach (var update in backend.StreamChatAsync(request))
        {
            var now = Stopwatch.GetTimestamp();
            if (firstChunk is null)
            {
                firstChunk = Stopwatch.GetElapsedTime(started, now);
            }
            else
            {
                TimePerChunk.Record(Stopwatch.GetElapsedTime(previous, now).TotalSeconds, in tags);
            }

            previous = now;
            chars += update.TextDelta?.Length ?? 0;
            metadata = update.Metadata ?? metadata;
        }

        if (firstChunk is { } ttfc)
        {
            TimeToFirstChunk.Record(ttfc.TotalSeconds, in tags);
        }

        FloorEnd(metadata, started);
        return chars;
    }

    private static void FloorEnd(GenerationMetadata? metadata, long started)
    {
        var tags = new TagList(RequiredTags);
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in tags);
        tags.Add("gen_ai.token.type", "input");
        Tokens.Record(metadata?.Usage?.InputTokens ?? 0, in tags);
        tags[3] = new("gen_ai.token.type", "output");
        Tokens.Record(metadata?.Usage?.OutputTokens ?? 0, in tags);
    }

    // The response attributes, then operation.duration and the two token.usage records.
    private static void End(Activity? span, GenerationMetadata? metadata, long started, bool streaming)
    {
        if (span is { IsAllDataRequested: true } && metadata is not null)
        {
            span.SetTag("gen_ai.response.model", metadata.ResponseModel);
            span.SetTag("gen_ai.response.id", metadata.ResponseId);
            span.SetTag("gen_ai.response.finish_reasons", FinishReasons);
            span.SetTag("gen_ai.usage.input_tokens", metadata.Usage?.InputTokens);
            span.SetTag("gen_ai.usage.output_tokens", metadata.Usage?.OutputTokens);
            span.SetTag("gen_ai.output.type", "text");
            span.SetTag("mellea.request.context_size", 1);
        }

        var duration = Common(metadata?.ResponseModel);
        duration.Add("gen_ai.request.stream", streaming ? BoxedTrue : BoxedFalse);
        Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, in duration);
        var input = Common(metadata?.ResponseModel);
        input.Add("gen_ai.token.type", "input");
        Tokens.Record(metadata?.Usage?.InputTokens ?? 0, in input);
        var output = Common(metadata?.ResponseModel);
        output.Add("gen_ai.token.type", "output");
        Tokens.Record(metadata?.Usage?.OutputTokens ?? 0, in output);
    }

    private static TagList Common(string? responseModel)
    {
        var tags = default(TagList);
        foreach (var tag in StartTags)
        {
            tags.Add(tag);
        }

        tags.Add("gen_ai.response.model", responseModel);
        return tags;
    }
}
