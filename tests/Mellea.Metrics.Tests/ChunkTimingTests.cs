using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>
/// <c>gen_ai.client.operation.time_per_output_chunk</c> is measured per chunk and recorded in batches: every gap of a long
/// stream arrives, in order, with its own value, and the gaps still waiting when a stream fails, is cancelled or is abandoned
/// are recorded too.
/// </summary>
public sealed class ChunkTimingTests : IDisposable
{
    // Several batches (the sink records 16 gaps at a time), and not a multiple of one: the end of every stream has gaps waiting.
    private const int Chunks = 101;

    // Where the abandoned and the cancelled streams stop: after two whole batches, with gaps waiting.
    private const int Taken = 37;

    private readonly Meter _meter = new($"mellea.chunktiming.test.{Guid.NewGuid():N}");
    private readonly MetricCollector _collector;
    private readonly FakeTimeProvider _clock = new();

    public ChunkTimingTests() => _collector = new MetricCollector(_meter);

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public async Task Every_gap_of_a_long_stream_is_recorded_in_order_with_its_own_value_and_the_calls_tags()
    {
        var pipeline = Pipeline(Handler(failAtEnd: null));

        (await TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat()))).Should().HaveCount(Chunks + 1);

        var gaps = _collector.Of(MelleaMetrics.TimePerOutputChunk);
        gaps.Select(g => g.Value).Should().Equal(ExpectedGaps(Chunks + 1));
        gaps.Should().AllSatisfy(g =>
        {
            g.Tag("gen_ai.provider.name").Should().Be("openai");
            g.Tag("gen_ai.request.model").Should().Be("test-model");
        });
    }

    [Fact]
    public async Task The_gaps_waiting_when_a_stream_fails_are_recorded()
    {
        var pipeline = Pipeline(Handler(failAtEnd: new GenerationException(ErrorCategory.TransportError, "cut")));

        var read = new List<ChatResponseUpdate>();
        var consume = async () =>
        {
            await foreach (var update in pipeline.StreamChatAsync(TestHandlers.Chat()))
            {
                read.Add(update);
            }
        };

        await consume.Should().ThrowAsync<GenerationException>();
        read.Should().HaveCount(Chunks);
        _collector.Of(MelleaMetrics.TimePerOutputChunk).Select(g => g.Value).Should().Equal(ExpectedGaps(Chunks));
        _collector.Of(MelleaMetrics.Errors).Should().ContainSingle();
    }

    [Fact]
    public async Task The_gaps_waiting_when_the_caller_abandons_a_stream_are_recorded()
    {
        var pipeline = Pipeline(Handler(failAtEnd: null));

        var read = 0;
        await foreach (var update in pipeline.StreamChatAsync(TestHandlers.Chat()))
        {
            if (++read == Taken)
            {
                break;
            }
        }

        _collector.Of(MelleaMetrics.TimePerOutputChunk).Select(g => g.Value).Should().Equal(ExpectedGaps(Taken));
    }

    [Fact]
    public async Task The_gaps_waiting_when_the_caller_cancels_a_stream_are_recorded()
    {
        var pipeline = Pipeline(Handler(failAtEnd: null));
        using var cancellation = new CancellationTokenSource();

        var read = 0;
        var consume = async () =>
        {
            await foreach (var update in pipeline.StreamChatAsync(TestHandlers.Chat(), cancellation.Token))
            {
                if (++read == Taken)
                {
                    await cancellation.CancelAsync();
                }
            }
        };

        await consume.Should().ThrowAsync<OperationCanceledException>();
        _collector.Of(MelleaMetrics.TimePerOutputChunk).Select(g => g.Value).Should().Equal(ExpectedGaps(Taken));
    }

    // The k-th update (from 0) comes k + 1 ms after the one before it, so the gap of update k is (k + 1) ms, for k ≥ 1.
    private static IEnumerable<double> ExpectedGaps(int updates) =>
        Enumerable.Range(1, updates - 1).Select(k => TimeSpan.FromMilliseconds(k + 1).TotalSeconds);

    private async IAsyncEnumerable<ChatResponseUpdate> Growing(Exception? failAtEnd, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        for (var k = 0; k < Chunks; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _clock.Advance(TimeSpan.FromMilliseconds(k + 1));
            yield return new ChatResponseUpdate { TextDelta = "x" };
        }

        if (failAtEnd is not null)
        {
            throw failAtEnd;
        }

        _clock.Advance(TimeSpan.FromMilliseconds(Chunks + 1));
        yield return TestHandlers.Updates()[^1];
    }

    private IGenerationHandler Handler(Exception? failAtEnd)
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ChatRequest _, CancellationToken token) => Growing(failAtEnd, token));
        return handler.Object;
    }

    private GenerationPipeline Pipeline(IGenerationHandler handler)
    {
        var builder = handler.AsBuilder();
        builder.TimeProvider = _clock;
        return builder.UseMetrics(_meter, o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>())).Build();
    }
}
