using Moq;

namespace Mellea.Core.Tests;

/// <summary>
/// The pipeline's enumerator at its edges: which token reaches the backend, what it answers before the first and after the
/// last update, and what a middleware's own sink is told when it breaks the write protocol or writes after the caller left.
/// </summary>
public sealed class PipelineStreamContractTests
{
    [Fact]
    public async Task The_request_token_alone_reaches_the_backend_when_the_caller_enumerates_without_one()
    {
        using var requestCts = new CancellationTokenSource();
        CancellationToken seen = default;
        var handler = TestData.Handler();
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ChatRequest _, CancellationToken ct) =>
            {
                seen = ct;
                return TestData.Stream(TestData.Updates("a", "b"), cancellationToken: ct);
            });
        var pipeline = handler.Object.AsBuilder().Build();

        await using var updates = pipeline.StreamChatAsync(TestData.Chat(), requestCts.Token).GetAsyncEnumerator();
        (await updates.MoveNextAsync()).Should().BeTrue();
        await requestCts.CancelAsync();

        seen.IsCancellationRequested.Should().BeTrue();
        var rest = async () =>
        {
            while (await updates.MoveNextAsync())
            {
            }
        };
        await rest.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Current_is_refused_before_the_first_move_and_a_finished_stream_keeps_answering_false()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Build();
        await using var updates = pipeline.StreamChatAsync(TestData.Chat()).GetAsyncEnumerator();

        var current = () => updates.Current;
        current.Should().Throw<InvalidOperationException>().WithMessage("*MoveNextAsync*");

        var count = 0;
        while (await updates.MoveNextAsync())
        {
            count++;
        }

        count.Should().Be(4);
        (await updates.MoveNextAsync()).Should().BeFalse();
        (await updates.MoveNextAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task A_sink_that_writes_again_before_its_previous_write_completed_is_told_to_await_each_write()
    {
        var refusals = new List<string>();
        var pipeline = WithSink(inner => new DoubleWritingSink(inner, refusals));

        var updates = await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()));

        updates.Select(u => u.TextDelta).Should().Equal("a", "b", "c", null);
        refusals.Should().HaveCount(4).And.OnlyContain(message => message.Contains("await each write", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_write_after_the_caller_stopped_fails_as_abandoned_again_and_disposal_completes()
    {
        var outcomes = new List<string>();
        var pipeline = WithSink(inner => new WritingAgainAfterAbandonSink(inner, outcomes));

        await using (var updates = pipeline.StreamChatAsync(TestData.Chat()).GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            (await updates.MoveNextAsync()).Should().BeTrue();
        }

        outcomes.Should().Equal("abandoned", "abandoned again");
    }

    // The test handler's stream through one middleware that puts the sink made here in front of the pipeline's own.
    private static GenerationPipeline WithSink(Func<GenerationUpdateSink, GenerationUpdateSink> sink) =>
        TestData.Handler().Object.AsBuilder()
            .Use((context, next) =>
            {
                context.Updates = sink(context.Updates);
                return next(context);
            })
            .Build();

    /// <summary>Starts a second write of every update without awaiting the first, and keeps what the second was told.</summary>
    private sealed class DoubleWritingSink(GenerationUpdateSink inner, List<string> refusals) : GenerationUpdateSink
    {
        public override ValueTask WriteAsync(ChatResponseUpdate update)
        {
            var first = inner.WriteAsync(update);
            try
            {
                // Expected to throw at once; a write that were accepted would show up as a refusal that does not match.
#pragma warning disable CA2012 // Nothing to await: the protocol violation is the point.
                _ = inner.WriteAsync(update);
#pragma warning restore CA2012
                refusals.Add("a second write was accepted");
            }
            catch (InvalidOperationException ex)
            {
                refusals.Add(ex.Message);
            }

            return first;
        }
    }

    /// <summary>When a write fails because the caller left, tries once more, as a careless middleware might.</summary>
    private sealed class WritingAgainAfterAbandonSink(GenerationUpdateSink inner, List<string> outcomes) : GenerationUpdateSink
    {
        public override async ValueTask WriteAsync(ChatResponseUpdate update)
        {
            try
            {
                await inner.WriteAsync(update);
            }
            catch (GenerationStreamAbandonedException)
            {
                outcomes.Add("abandoned");
                try
                {
                    await inner.WriteAsync(update);
                }
                catch (GenerationStreamAbandonedException)
                {
                    outcomes.Add("abandoned again");
                    throw;
                }
            }
        }
    }
}
