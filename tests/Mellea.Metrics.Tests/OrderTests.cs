using System.Diagnostics.Metrics;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>Where metrics sit relative to retry decides what they count; both orders are allowed and documented.</summary>
public sealed class OrderTests : IDisposable
{
    private static readonly TelemetryEnvironment NoPricing = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());

    private readonly Meter _meter = new($"mellea.metrics.order.{Guid.NewGuid():N}");
    private readonly MetricCollector _collector;

    public OrderTests() => _collector = new MetricCollector(_meter);

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public async Task Metrics_outside_retry_count_one_operation_per_logical_call_and_the_attempts_in_retries()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(500), TestHandlers.Status(429), null);
        var pipeline = Build(handler.Object, metricsOutside: true);

        await pipeline.ChatAsync(TestHandlers.Chat());

        handler.Verify(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        var duration = _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which;
        duration.Tags.Should().NotContainKey("error.type", "the logical call succeeded");
        var retries = _collector.Of(MelleaMetrics.Retries).Should().ContainSingle().Which;
        retries.Value.Should().Be(2);
        retries.Tag("gen_ai.request.model").Should().Be("test-model");
        _collector.Of(MelleaMetrics.Errors).Should().BeEmpty("failed attempts that were retried are not failed calls");
        _collector.Of(MelleaMetrics.TokenUsage).Should().HaveCount(2, "tokens are counted once, for the answer");
    }

    [Fact]
    public async Task Metrics_outside_retry_record_the_last_failure_once_when_every_attempt_fails()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(503), TestHandlers.Status(503), TestHandlers.Status(502));
        var pipeline = Build(handler.Object, metricsOutside: true);

        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>();

        _collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Which.Tag("error.type").Should().Be("502");
        _collector.Of(MelleaMetrics.Errors).Should().ContainSingle().Which.Value.Should().Be(1);
        _collector.Of(MelleaMetrics.Retries).Should().ContainSingle().Which.Value.Should().Be(2);
    }

    [Fact]
    public async Task Metrics_inside_retry_record_each_attempt_as_an_operation_and_count_no_retries()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(500), TestHandlers.Status(500), null);
        var pipeline = Build(handler.Object, metricsOutside: false);

        await pipeline.ChatAsync(TestHandlers.Chat());

        var durations = _collector.Of(MelleaMetrics.OperationDuration);
        durations.Should().HaveCount(3);
        durations.Select(d => d.Tag("error.type")).Should().Equal("500", "500", null);
        _collector.Of(MelleaMetrics.Errors).Should().HaveCount(2);
        _collector.Of(MelleaMetrics.Retries).Should().BeEmpty();
    }

    private GenerationPipeline Build(IGenerationHandler handler, bool metricsOutside)
    {
        var builder = handler.AsBuilder();
        builder.TimeProvider = new FakeTimeProvider();
        void Retry(RetryOptions o) => o.InitialDelay = TimeSpan.Zero;
        void Metrics(MetricsOptions o) => o.Environment = NoPricing;
        return metricsOutside
            ? builder.UseMetrics(_meter, Metrics).UseRetry(Retry).Build()
            : builder.UseRetry(Retry).UseMetrics(_meter, Metrics).Build();
    }
}
