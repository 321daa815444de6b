using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>
/// With the default order (tracing, metrics, retry), the span and the metrics of one call report the same duration, time to
/// first chunk and error.type, and the retries appear as span events, as mellea.retry.attempts and in mellea.llm.retries.
/// </summary>
public sealed class AgreementTests : IDisposable
{
    private static readonly TelemetryEnvironment NoPricing = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());

    private readonly string _model = $"agree-{Guid.NewGuid():N}";
    private readonly Meter _meter = new($"mellea.metrics.agree.{Guid.NewGuid():N}");
    private readonly MetricCollector _collector;
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly FakeTimeProvider _clock = new();

    public AgreementTests()
    {
        _collector = new MetricCollector(_meter);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MelleaTelemetry.GenerationSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                // Only this test's spans: the model name is unique to the test.
                if (activity.GetTagItem(GenAiAttributes.RequestModel) as string == _model)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public async Task A_retried_call_has_one_span_and_one_duration_that_agree_and_its_retries_everywhere()
    {
        var handler = ChatHandler(_ => TimeSpan.FromSeconds(1.25), firstFailure: TestHandlers.Status(429, TimeSpan.FromSeconds(2)));
        var pipeline = Build(handler.Object);

        await Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), _clock, TimeSpan.FromSeconds(1));

        var span = _spans.Should().ContainSingle("tracing outside retry gives one logical span").Which;
        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(4.5, "two attempts of 1.25 s and the 2 s Retry-After");
        span.Duration.TotalSeconds.Should().Be(duration.Value);
        span.GetTagItem(GenAiAttributes.MelleaRetryAttempts).Should().Be(1);
        var retry = span.Events.Should().ContainSingle(e => e.Name == RetryEventNames.EventName).Which;
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.FromRetryAfter, true));
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.ErrorType, "429"));
        _collector.Of(MelleaMetrics.Retries).Should().ContainSingle().Which.Value.Should().Be(1);
    }

    [Fact]
    public async Task A_failed_call_has_the_same_error_type_on_the_span_and_the_metrics()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(401));
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info(_model));
        var pipeline = Build(handler.Object);

        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>();

        var span = _spans.Should().ContainSingle().Which;
        span.GetTagItem(GenAiAttributes.ErrorType).Should().Be("401");
        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which.Tag("error.type").Should().Be("401");
        _collector.Of(MelleaMetrics.Errors).Should().ContainSingle().Which.Tag("error.type").Should().Be("401");
    }

    [Fact]
    public async Task A_stream_has_the_same_time_to_first_chunk_and_duration_on_the_span_and_the_metrics()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info(_model));
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => TestHandlers.Stream(TestHandlers.Updates("a", "b"), _clock, TimeSpan.FromSeconds(0.4)));
        var pipeline = Build(handler.Object);

        await TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat()));

        var span = _spans.Should().ContainSingle().Which;
        var ttfc = _collector.Of(MelleaMetrics.TimeToFirstChunk).Should().ContainSingle().Which;
        ttfc.Value.Should().Be(0.4);
        span.GetTagItem(GenAiAttributes.ResponseTimeToFirstChunk).Should().Be(ttfc.Value);
        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Value.Should().Be(1.2);
        span.Duration.TotalSeconds.Should().Be(duration.Value);
    }

    [Fact]
    public async Task Retry_outside_tracing_and_metrics_gives_one_span_and_one_operation_per_attempt()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(503), null);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info(_model));
        var builder = handler.Object.AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder
            .UseRetry(o => o.InitialDelay = TimeSpan.Zero)
            .UseTracing()
            .UseMetrics(_meter, o => o.Environment = NoPricing)
            .Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        _spans.Select(s => s.GetTagItem(GenAiAttributes.ErrorType)).Should().Equal(new object?[] { "503", null });
        _collector.Of(MelleaMetrics.OperationDuration).Select(d => d.Tag("error.type")).Should().Equal(new object?[] { "503", null });
        _collector.Of(MelleaMetrics.Retries).Should().BeEmpty("each attempt is its own operation in this order");
    }

    [Fact]
    public async Task Metrics_inside_retry_under_a_span_end_each_attempt_at_its_own_end()
    {
        // The span outside starts the shared clock; the metrics inside retry end each attempt. A retry's new attempt must
        // clear the previous attempt's end stamp, or the second attempt (and the span) would report the first one's end.
        var handler = ChatHandler(attempt => TimeSpan.FromSeconds(attempt == 0 ? 1 : 2), firstFailure: TestHandlers.Status(503));
        var builder = handler.Object.AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder
            .UseTracing()
            .UseRetry(o => o.InitialDelay = TimeSpan.Zero)
            .UseMetrics(_meter, o => o.Environment = NoPricing)
            .Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.OperationDuration).Select(d => d.Value).Should().Equal(1.0, 3.0);
        _spans.Should().ContainSingle().Which.Duration.Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task With_metrics_outside_tracing_the_span_is_back_dated_to_the_shared_start()
    {
        // A middleware between the two takes a second before the span opens; the span still covers the whole call, as
        // the duration metric does, because both observe one interval from the outermost observer's start.
        var handler = ChatHandler(_ => TimeSpan.FromSeconds(2));
        var builder = handler.Object.AsBuilder();
        builder.TimeProvider = _clock;
        var pipeline = builder
            .UseMetrics(_meter, o => o.Environment = NoPricing)
            .Use(async (context, next) =>
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                await next(context);
            })
            .UseTracing()
            .Build();
        _clock.Advance(TimeSpan.FromHours(1));
        var callStart = _clock.GetUtcNow().UtcDateTime;

        await pipeline.ChatAsync(TestHandlers.Chat());

        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which.Value.Should().Be(3.0);
        var span = _spans.Should().ContainSingle().Which;
        span.StartTimeUtc.Should().Be(callStart);
        span.Duration.Should().Be(TimeSpan.FromSeconds(3));
    }

    // A chat handler for this test's model: attempt n (from 0) takes takes(n) on the test's clock, then the first attempt
    // fails with firstFailure when one is given and every other attempt answers.
    private Mock<IGenerationHandler> ChatHandler(Func<int, TimeSpan> takes, Exception? firstFailure = null)
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info(_model));
        var attempt = 0;
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                _clock.Advance(takes(attempt));
                return attempt++ == 0 && firstFailure is not null
                    ? ValueTask.FromException<ChatResponse>(firstFailure)
                    : new ValueTask<ChatResponse>(TestHandlers.Answer());
            });
        return handler;
    }

    private GenerationPipeline Build(IGenerationHandler handler)
    {
        var builder = handler.AsBuilder();
        builder.TimeProvider = _clock;
        return builder
            .UseTracing()
            .UseMetrics(_meter, o => o.Environment = NoPricing)
            .UseRetry(o => o.UseJitter = false)
            .Build();
    }
}
