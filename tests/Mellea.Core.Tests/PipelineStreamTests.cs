using System.Diagnostics;
using System.Runtime.CompilerServices;
using Moq;

namespace Mellea.Core.Tests;

public sealed class PipelineStreamTests
{
    [Fact]
    public async Task Every_update_reaches_the_caller_in_order_with_the_final_metadata_last()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Use((c, n) => n(c)).Build();

        var updates = await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()));

        updates.Select(u => u.TextDelta).Should().Equal("a", "b", "c", null);
        updates[^1].Metadata!.ResponseId.Should().Be("resp-1");
    }

    [Fact]
    public async Task A_middleware_sees_the_final_metadata_and_chunk_count_after_next_without_buffering()
    {
        GenerationMetadata? metadata = null;
        var chunks = 0;
        TimeSpan? ttfc = null;
        var pipeline = TestData.Handler().Object.AsBuilder()
            .Use(async (context, next) =>
            {
                context.BeginObservation();
                await next(context);
                metadata = context.Metadata;
                chunks = context.ChunkCount;
                ttfc = context.TimeToFirstChunk;
                context.EndObservation();
            })
            .Build();

        await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()));

        metadata!.ResponseId.Should().Be("resp-1");
        chunks.Should().Be(4);
        ttfc.Should().NotBeNull();
    }

    [Fact]
    public async Task Enumerating_the_same_stream_twice_makes_two_calls()
    {
        var handler = TestData.Handler();
        var stream = handler.Object.AsBuilder().Build().StreamChatAsync(TestData.Chat());

        (await TestData.Collect(stream)).Should().HaveCount(4);
        (await TestData.Collect(stream)).Should().HaveCount(4);

        handler.Verify(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_stream_with_no_updates_ends_cleanly()
    {
        var handler = TestData.Handler();
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(TestData.Stream([]));
        var pipeline = handler.Object.AsBuilder().Use((c, n) => n(c)).Build();

        (await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()))).Should().BeEmpty();
    }

    [Fact]
    public async Task The_enumerator_token_cancels_the_backend_stream()
    {
        using var cts = new CancellationTokenSource();
        var pipeline = TestData.Handler().Object.AsBuilder().Use((c, n) => n(c)).Build();
        var taken = 0;

        var act = async () =>
        {
            await foreach (var update in pipeline.StreamChatAsync(TestData.Chat()).WithCancellation(cts.Token))
            {
                taken++;
                await cts.CancelAsync();
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        taken.Should().Be(1);
    }

    [Fact]
    public async Task The_request_token_and_the_enumerator_token_are_both_honoured()
    {
        using var requestCts = new CancellationTokenSource();
        using var enumeratorCts = new CancellationTokenSource();
        CancellationToken seen = default;
        var handler = TestData.Handler();
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ChatRequest _, CancellationToken ct) =>
            {
                seen = ct;
                return TestData.Stream(TestData.Updates("a"), cancellationToken: ct);
            });
        var pipeline = handler.Object.AsBuilder().Build();

        await using (var e = pipeline.StreamChatAsync(TestData.Chat(), requestCts.Token).GetAsyncEnumerator(enumeratorCts.Token))
        {
            (await e.MoveNextAsync()).Should().BeTrue();
            await enumeratorCts.CancelAsync();
            seen.IsCancellationRequested.Should().BeTrue();
        }
    }

    [Fact]
    public async Task The_caller_activity_is_unchanged_while_the_pipeline_activity_stays_current_for_the_whole_stream()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == nameof(PipelineStreamTests),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource(nameof(PipelineStreamTests));
        using var caller = source.StartActivity("caller")!;
        Activity? inner = null;
        var seenByBackend = new List<Activity?>();
        var handler = TestData.Handler();
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(Observe(seenByBackend));
        var pipeline = handler.Object.AsBuilder()
            .Use(async (context, next) =>
            {
                using var activity = source.StartActivity("generation");
                inner = activity;
                await next(context);
            })
            .Build();

        await foreach (var update in pipeline.StreamChatAsync(TestData.Chat()))
        {
            Activity.Current.Should().BeSameAs(caller);
        }

        Activity.Current.Should().BeSameAs(caller);
        inner!.Parent.Should().BeSameAs(caller);
        seenByBackend.Should().HaveCount(3).And.OnlyContain(a => a == inner);
        inner.IsStopped.Should().BeTrue();
    }

    [Fact]
    public async Task Concurrent_streams_do_not_mix_updates()
    {
        var handler = TestData.Handler();
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ChatRequest r, CancellationToken ct) => TestData.Stream(TestData.Updates(r.Messages[0].Text, r.Messages[0].Text), cancellationToken: ct));
        var pipeline = handler.Object.AsBuilder().Use((c, n) => n(c)).Build();

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var updates = await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat($"m{i}")));
            return (i, texts: updates.Where(u => u.TextDelta is not null).Select(u => u.TextDelta).ToList());
        }));

        results.Should().OnlyContain(r => r.texts.Count == 2 && r.texts.All(t => t == $"m{r.i}"));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Observe(List<Activity?> seen, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var update in TestData.Updates("a", "b"))
        {
            await Task.Yield();
            seen.Add(Activity.Current);
            yield return update;
        }
    }
}
