namespace Mellea.Core.Tests;

/// <summary>
/// When every sink of a stream passes through (tracing, metrics, retry), the caller's MoveNextAsync pulls each update after the
/// first from the backend itself instead of handing over to the pipeline's flow and back. These pin that both ways of
/// streaming give the same result, and that the pulled way still ends the pipeline properly on every path.
/// </summary>
public sealed class PullModeTests
{
    private static GenerationPipeline PassThroughPipeline(IGenerationHandler handler, List<string> log) =>
        handler.AsBuilder()
            .Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                    log.Add("completed");
                }
                catch (Exception ex)
                {
                    log.Add("saw:" + ex.GetType().Name);
                    throw;
                }
            })
            .UseMetrics()
            .UseRetry()
            .Build();

    [Fact]
    public async Task A_sink_that_awaits_keeps_the_hand_off_and_every_update_arrives_in_order_either_way()
    {
        var handler = new CountingHandler(6);
        var seenBySink = new List<string?>();
        var awaiting = handler.AsBuilder()
            .Use(async (context, next) =>
            {
                context.Updates = new YieldingSink(context.Updates, seenBySink);
                await next(context);
            })
            .UseMetrics()
            .Build();
        var pulled = PassThroughPipeline(new CountingHandler(6), []);

        var viaHandOff = await TestData.Collect(awaiting.StreamChatAsync(TestData.Chat()));
        var viaPull = await TestData.Collect(pulled.StreamChatAsync(TestData.Chat()));

        var expected = Enumerable.Range(0, 6).Select(i => (string?)i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        viaHandOff.Select(u => u.TextDelta).Should().Equal(expected);
        viaPull.Select(u => u.TextDelta).Should().Equal(expected);
        seenBySink.Should().Equal(expected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failure_after_pulled_updates_fails_the_pipeline_once_and_is_not_retried(bool backendWaits)
    {
        var handler = new CountingHandler(5) { FailAfter = 3, YieldEachUpdate = backendWaits };
        var log = new List<string>();
        var received = new List<string?>();

        var read = async () =>
        {
            await foreach (var update in PassThroughPipeline(handler, log).StreamChatAsync(TestData.Chat()))
            {
                received.Add(update.TextDelta);
            }
        };

        (await read.Should().ThrowAsync<GenerationException>()).Which.Message.Should().Be("upstream died after 3");
        received.Should().Equal("0", "1", "2");
        log.Should().Equal("saw:GenerationException");
        handler.Calls.Should().Be(1, "the caller has seen part of the answer, so a retry would show it twice");
        handler.Disposed.Should().Be(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_during_the_pulled_updates_ends_the_pipeline_as_abandoned_and_disposes_the_backend_stream(bool backendWaits)
    {
        var handler = new CountingHandler(10) { YieldEachUpdate = backendWaits };
        var log = new List<string>();

        await foreach (var update in PassThroughPipeline(handler, log).StreamChatAsync(TestData.Chat()))
        {
            if (update.TextDelta == "3")
            {
                break;
            }
        }

        log.Should().Equal("saw:GenerationStreamAbandonedException");
        handler.Disposed.Should().Be(1);
        handler.Produced.Should().Be(4, "nothing is read ahead of the caller");
    }

    [Fact]
    public async Task A_backend_that_has_to_wait_between_updates_is_pulled_to_the_end()
    {
        var handler = new CountingHandler(8) { YieldEachUpdate = true };
        var log = new List<string>();

        var updates = await TestData.Collect(PassThroughPipeline(handler, log).StreamChatAsync(TestData.Chat()));

        updates.Should().HaveCount(8);
        log.Should().Equal("completed");
        handler.Disposed.Should().Be(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_update_a_middleware_writes_after_the_pulled_updates_reaches_the_caller_last(bool backendWaits)
    {
        var pipeline = new CountingHandler(4) { YieldEachUpdate = backendWaits }.AsBuilder()
            .Use(async (context, next) =>
            {
                await next(context);
                await context.Updates.WriteAsync(new ChatResponseUpdate { TextDelta = "appended" });
            })
            .UseMetrics()
            .UseRetry()
            .Build();

        var updates = await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()));

        updates.Select(u => u.TextDelta).Should().Equal("0", "1", "2", "3", "appended");
    }

    /// <summary>A sink that awaits before forwarding, so it cannot pass through.</summary>
    private sealed class YieldingSink(GenerationUpdateSink inner, List<string?> seen) : GenerationUpdateSink
    {
        public override async ValueTask WriteAsync(ChatResponseUpdate update)
        {
            seen.Add(update.TextDelta);
            await Task.Yield();
            await inner.WriteAsync(update);
        }
    }

    /// <summary>Streams "0", "1", … from a hand-written enumerator that counts what it produced and how often it was disposed.</summary>
    private sealed class CountingHandler(int count) : IGenerationHandler
    {
        private int _calls;
        private int _disposed;
        private int _produced;

        public int Count { get; } = count;

        public int? FailAfter { get; init; }

        public bool YieldEachUpdate { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public int Disposed => Volatile.Read(ref _disposed);

        public int Produced => Volatile.Read(ref _produced);

        public GenerationHandlerInfo Info { get; } = new("test", new Uri("http://127.0.0.1:1"), "m");

        public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return new Updates(this, cancellationToken);
        }

        private sealed class Updates(CountingHandler owner, CancellationToken cancellationToken) : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
        {
            private int _next;

            public ChatResponseUpdate Current { get; private set; } = null!;

            public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken token = default) => this;

            public ValueTask<bool> MoveNextAsync() => owner.YieldEachUpdate ? MoveNextLaterAsync() : new ValueTask<bool>(MoveNext());

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner._disposed);
                return default;
            }

            private async ValueTask<bool> MoveNextLaterAsync()
            {
                await Task.Yield();
                return MoveNext();
            }

            private bool MoveNext()
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_next == owner.FailAfter)
                {
                    throw new GenerationException(ErrorCategory.ServerError, $"upstream died after {_next}") { StatusCode = 503 };
                }

                if (_next == owner.Count)
                {
                    return false;
                }

                Current = new ChatResponseUpdate { TextDelta = _next.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                _next++;
                Interlocked.Increment(ref owner._produced);
                return true;
            }
        }
    }
}
