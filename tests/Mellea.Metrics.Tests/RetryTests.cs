using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

public sealed class RetryTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_429_with_retry_after_2s_waits_exactly_2s_on_the_clock_then_succeeds()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(429, TimeSpan.FromSeconds(2)), null);
        var pipeline = Build(handler.Object, clock);

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();

        call.IsCompleted.Should().BeFalse("the middleware waits for the provider's Retry-After");
        clock.PendingTimerCount.Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        call.IsCompleted.Should().BeFalse("2 s have not passed yet");
        VerifyCalls(handler, 1);

        clock.Advance(TimeSpan.FromTicks(1));
        var response = await call.WaitAsync(Guard);

        response.Text.Should().Be("answer");
        VerifyCalls(handler, 2);
    }

    [Fact]
    public async Task A_retry_after_over_the_cap_fails_at_once_with_the_rate_limit_error()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(429, TimeSpan.FromSeconds(61)), null);
        var pipeline = Build(handler.Object, clock);

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();

        call.IsCompleted.Should().BeTrue("nothing waits when the provider asks for more than the cap");
        clock.PendingTimerCount.Should().Be(0);
        var error = (await call.Invoking(c => c).Should().ThrowAsync<GenerationException>()).Which;
        error.StatusCode.Should().Be(429);
        error.Category.Should().Be(ErrorCategory.RateLimit);
        VerifyCalls(handler, 1);
    }

    [Fact]
    public async Task The_cap_is_an_option()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(429, TimeSpan.FromSeconds(61)), null);
        var pipeline = Build(handler.Object, clock, o => o.MaxRetryAfter = TimeSpan.FromSeconds(90));

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();
        clock.Advance(TimeSpan.FromSeconds(61));

        (await call.WaitAsync(Guard)).Text.Should().Be("answer");
        VerifyCalls(handler, 2);
    }

    [Fact]
    public async Task A_500_then_500_then_200_succeeds_on_attempt_3_after_exponential_back_offs()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(500), TestHandlers.Status(500), null);
        var events = new List<ActivityEvent>();
        var retryCount = -1;
        var pipeline = Build(handler.Object, clock, outer: async (context, next) =>
        {
            using var span = new Activity("chat test-model").Start();
            context.GenerationActivity = span;
            await next(context);
            retryCount = context.RetryCount;
            events.AddRange(span.Events);
        });

        var response = await Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), clock, TimeSpan.FromMilliseconds(100));

        response.Text.Should().Be("answer");
        VerifyCalls(handler, 3);
        retryCount.Should().Be(2);
        events.Should().HaveCount(2);
        events.Select(e => e.Name).Should().AllBe(RetryEventNames.EventName);
        events.Select(e => e.Tags.First(t => t.Key == RetryEventNames.Attempt).Value).Should().Equal(1, 2);
        events.Select(e => (double)e.Tags.First(t => t.Key == RetryEventNames.Delay).Value!).Should().Equal(0.5, 1.0);
        events.Select(e => e.Tags.First(t => t.Key == RetryEventNames.ErrorType).Value).Should().Equal("500", "500");
        events.Select(e => e.Tags.First(t => t.Key == RetryEventNames.FromRetryAfter).Value).Should().Equal(false, false);
    }

    [Fact]
    public async Task A_retry_event_says_when_retry_after_set_the_delay()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(429, TimeSpan.FromSeconds(3)), null);
        var events = new List<ActivityEvent>();
        var pipeline = BuildRecordingRetryEvents(handler.Object, clock, events);

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();
        clock.Advance(TimeSpan.FromSeconds(3));
        await call.WaitAsync(Guard);

        var retry = events.Should().ContainSingle().Which;
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.FromRetryAfter, true));
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.Delay, 3.0));
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.ErrorType, "429"));
    }

    [Fact]
    public async Task The_retry_clock_option_wins_over_the_pipelines_clock()
    {
        var retryClock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(503), null);
        var pipeline = handler.Object.AsBuilder().UseRetry(o => o.TimeProvider = retryClock).Build();

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();

        retryClock.PendingTimerCount.Should().Be(1, "the back-off waits on the option's clock, not the pipeline's system clock");
        call.IsCompleted.Should().BeFalse();
        retryClock.Advance(TimeSpan.FromMinutes(1));
        (await call.WaitAsync(Guard)).Text.Should().Be("answer");
        VerifyCalls(handler, 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    public async Task A_retry_after_of_zero_or_of_exactly_the_cap_is_waited_as_the_provider_asked(int seconds)
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(429, TimeSpan.FromSeconds(seconds)), null);
        var events = new List<ActivityEvent>();
        var pipeline = BuildRecordingRetryEvents(handler.Object, clock, events);

        var call = pipeline.ChatAsync(TestHandlers.Chat()).AsTask();
        clock.Advance(TimeSpan.FromSeconds(seconds));
        (await call.WaitAsync(Guard)).Text.Should().Be("answer");

        VerifyCalls(handler, 2);
        var retry = events.Should().ContainSingle().Which;
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.FromRetryAfter, true));
        retry.Tags.Should().Contain(new KeyValuePair<string, object?>(RetryEventNames.Delay, (double)seconds));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task A_client_error_is_not_retried(int status)
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(status), null);
        var pipeline = Build(handler.Object, clock);

        var error = (await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>()).Which;

        error.StatusCode.Should().Be(status);
        clock.PendingTimerCount.Should().Be(0);
        VerifyCalls(handler, 1);
    }

    [Fact]
    public async Task A_content_policy_refusal_is_not_retried()
    {
        var handler = TestHandlers.Sequence(TestHandlers.Status(400, code: "content_policy_violation"), null);
        var pipeline = Build(handler.Object, new FakeTimeProvider());

        await pipeline.Invoking(p => p.ChatAsync(TestHandlers.Chat()).AsTask()).Should().ThrowAsync<GenerationException>();

        VerifyCalls(handler, 1);
    }

    [Fact]
    public async Task Retries_stop_after_max_retries_and_the_last_failure_surfaces()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(503), TestHandlers.Status(502), TestHandlers.Status(504), null);
        var pipeline = Build(handler.Object, clock);

        var call = Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), clock, TimeSpan.FromMilliseconds(100));

        (await call.Invoking(c => c).Should().ThrowAsync<GenerationException>()).Which.StatusCode.Should().Be(504);
        VerifyCalls(handler, 3);
    }

    [Fact]
    public async Task Cancelling_during_a_back_off_ends_the_call_at_once()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(500), null);
        var pipeline = Build(handler.Object, clock, o => o.InitialDelay = TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource();

        var call = pipeline.ChatAsync(TestHandlers.Chat(), cts.Token).AsTask();
        clock.PendingTimerCount.Should().Be(1, "the middleware is backing off");
        await cts.CancelAsync();

        await call.Invoking(c => c.WaitAsync(Guard)).Should().ThrowAsync<OperationCanceledException>();
        VerifyCalls(handler, 1);
        clock.GetTimestamp().Should().Be(0, "the clock never moved: the call ended without waiting out the back-off");
    }

    [Fact]
    public async Task The_callers_cancellation_during_an_attempt_is_not_retried()
    {
        var clock = new FakeTimeProvider();
        var calls = new StrongBox<int>();
        var handler = HangingChatHandler(calls);
        var pipeline = Build(handler.Object, clock);
        using var cts = new CancellationTokenSource();

        var call = pipeline.ChatAsync(TestHandlers.Chat(), cts.Token).AsTask();
        await cts.CancelAsync();

        await call.Invoking(c => c.WaitAsync(Guard)).Should().ThrowAsync<OperationCanceledException>();
        calls.Value.Should().Be(1);
    }

    [Fact]
    public async Task An_attempt_that_runs_over_its_timeout_is_retried_and_the_last_surfaces_as_a_timeout()
    {
        var clock = new FakeTimeProvider();
        var calls = new StrongBox<int>();
        var handler = HangingChatHandler(calls);
        var pipeline = Build(handler.Object, clock, o =>
        {
            o.MaxRetries = 1;
            o.InitialDelay = TimeSpan.Zero;
            o.AttemptTimeout = TimeSpan.FromSeconds(30);
        });

        var call = Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), clock, TimeSpan.FromSeconds(30));

        var error = (await call.Invoking(c => c).Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.Timeout);
        error.ProviderName.Should().Be("openai", "an error says which provider it came from");
        error.Message.Should().Contain("30 s");
        ErrorClassifier.Classify(error).ErrorType.Should().Be("timeout");
        calls.Value.Should().Be(2);
        clock.GetTimestamp().Should().Be(TimeSpan.FromSeconds(60).Ticks);
    }

    [Theory]
    [InlineData(0, 30, null, 30)]
    [InlineData(0, null, 10, 10)]
    [InlineData(2, null, 10, 10)]
    public async Task A_timeout_bounds_the_first_attempt_with_or_without_retries(int maxRetries, int? attemptSeconds, int? totalSeconds, int endsAtSeconds)
    {
        // With no retries the middleware must not become a pass-through, and with a total timeout alone the first attempt
        // must not be made directly: either would leave a hanging backend unbounded.
        var clock = new FakeTimeProvider();
        var calls = new StrongBox<int>();
        var handler = HangingChatHandler(calls);
        var pipeline = Build(handler.Object, clock, o =>
        {
            o.MaxRetries = maxRetries;
            o.AttemptTimeout = attemptSeconds is { } attempt ? TimeSpan.FromSeconds(attempt) : null;
            o.TotalTimeout = totalSeconds is { } total ? TimeSpan.FromSeconds(total) : null;
        });

        var call = Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), clock, TimeSpan.FromSeconds(1));

        (await call.Invoking(c => c).Should().ThrowAsync<GenerationException>()).Which.Category.Should().Be(ErrorCategory.Timeout);
        calls.Value.Should().Be(1);
        clock.GetTimestamp().Should().Be(TimeSpan.FromSeconds(endsAtSeconds).Ticks);
    }

    [Fact]
    public async Task The_total_timeout_ends_the_call_during_a_back_off()
    {
        var clock = new FakeTimeProvider();
        var handler = TestHandlers.Sequence(TestHandlers.Status(503, TimeSpan.FromSeconds(50)), null);
        var pipeline = Build(handler.Object, clock, o => o.TotalTimeout = TimeSpan.FromSeconds(10));

        var call = Drive.UntilDone(pipeline.ChatAsync(TestHandlers.Chat()).AsTask(), clock, TimeSpan.FromSeconds(1));

        (await call.Invoking(c => c).Should().ThrowAsync<GenerationException>()).Which.Category.Should().Be(ErrorCategory.Timeout);
        VerifyCalls(handler, 1);
        clock.GetTimestamp().Should().Be(TimeSpan.FromSeconds(10).Ticks);
    }

    [Fact]
    public async Task A_stream_that_fails_before_its_first_chunk_is_retried()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.SetupSequence(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(TestHandlers.Stream(TestHandlers.Updates("never"), failBeforeFirst: TestHandlers.Status(503)))
            .Returns(TestHandlers.Stream(TestHandlers.Updates("a", "b")));
        var pipeline = Build(handler.Object, new FakeTimeProvider(), o => o.InitialDelay = TimeSpan.Zero);

        var updates = await TestHandlers.Collect(pipeline.StreamChatAsync(TestHandlers.Chat())).WaitAsync(Guard);

        updates.Select(u => u.TextDelta).Should().Equal("a", "b", null);
        handler.Verify(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_stream_that_fails_after_its_first_chunk_is_not_retried()
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.SetupSequence(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(TestHandlers.Stream(TestHandlers.Updates("a", "b"), failAfterFirst: TestHandlers.Status(503)))
            .Returns(TestHandlers.Stream(TestHandlers.Updates("x", "y")));
        var pipeline = Build(handler.Object, new FakeTimeProvider(), o => o.InitialDelay = TimeSpan.Zero);
        var received = new List<string?>();

        var consume = async () =>
        {
            await foreach (var update in pipeline.StreamChatAsync(TestHandlers.Chat()))
            {
                received.Add(update.TextDelta);
            }
        };

        (await consume.Should().ThrowAsync<GenerationException>()).Which.StatusCode.Should().Be(503);
        received.Should().Equal("a");
        handler.Verify(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Raw_completions_are_retried_too()
    {
        var calls = 0;
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.CompleteRawAsync(It.IsAny<RawCompletionRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => calls++ == 0
                ? ValueTask.FromException<RawCompletionResponse>(new HttpRequestException("connection refused"))
                : new ValueTask<RawCompletionResponse>(new RawCompletionResponse([new RawCompletion(0, "r")], TestHandlers.Metadata())));
        var pipeline = Build(handler.Object, new FakeTimeProvider(), o => o.InitialDelay = TimeSpan.Zero);

        var response = await pipeline.CompleteRawAsync(new RawCompletionRequest(["p"])).AsTask().WaitAsync(Guard);

        response.Completions.Should().ContainSingle();
        calls.Should().Be(2);
    }

    [Fact]
    public void Defaults_follow_the_openai_sdks()
    {
        var options = new RetryOptions();

        options.MaxRetries.Should().Be(2);
        options.InitialDelay.Should().Be(TimeSpan.FromSeconds(0.5));
        options.MaxDelay.Should().Be(TimeSpan.FromSeconds(8));
        options.MaxRetryAfter.Should().Be(TimeSpan.FromSeconds(60));
        options.UseJitter.Should().BeTrue();
        options.AttemptTimeout.Should().BeNull();
        options.TotalTimeout.Should().BeNull();
    }

    public static TheoryData<string, Action<RetryOptions>, string?> OptionBounds => new()
    {
        { "no retries", o => o.MaxRetries = 0, null },
        { "100 retries", o => o.MaxRetries = 100, null },
        { "negative retries", o => o.MaxRetries = -1, nameof(RetryOptions.MaxRetries) },
        { "101 retries", o => o.MaxRetries = 101, nameof(RetryOptions.MaxRetries) },
        { "no initial delay", o => o.InitialDelay = TimeSpan.Zero, null },
        { "negative initial delay", o => o.InitialDelay = TimeSpan.FromTicks(-1), nameof(RetryOptions.InitialDelay) },
        { "a day of initial delay", o => (o.InitialDelay, o.MaxDelay) = (TimeSpan.FromDays(1), TimeSpan.FromDays(1)), null },
        { "over a day of initial delay", o => (o.InitialDelay, o.MaxDelay) = (TimeSpan.FromDays(1) + TimeSpan.FromTicks(1), TimeSpan.FromDays(2)), nameof(RetryOptions.InitialDelay) },
        { "max delay equal to the initial one", o => o.MaxDelay = o.InitialDelay, null },
        { "max delay under the initial one", o => o.MaxDelay = o.InitialDelay - TimeSpan.FromTicks(1), nameof(RetryOptions.MaxDelay) },
        { "no Retry-After accepted", o => o.MaxRetryAfter = TimeSpan.Zero, null },
        { "negative max Retry-After", o => o.MaxRetryAfter = TimeSpan.FromTicks(-1), nameof(RetryOptions.MaxRetryAfter) },
        { "10 ms attempt timeout", o => o.AttemptTimeout = TimeSpan.FromMilliseconds(10), null },
        { "a day of attempt timeout", o => o.AttemptTimeout = TimeSpan.FromDays(1), null },
        { "attempt timeout under 10 ms", o => o.AttemptTimeout = TimeSpan.FromMilliseconds(10) - TimeSpan.FromTicks(1), nameof(RetryOptions.AttemptTimeout) },
        { "attempt timeout over a day", o => o.AttemptTimeout = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1), nameof(RetryOptions.AttemptTimeout) },
        { "total timeout under 10 ms", o => o.TotalTimeout = TimeSpan.FromMilliseconds(9), nameof(RetryOptions.TotalTimeout) },
        { "total timeout over a day", o => o.TotalTimeout = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1), nameof(RetryOptions.TotalTimeout) },
        { "attempt timeout equal to the total", o => (o.AttemptTimeout, o.TotalTimeout) = (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), null },
        { "attempt timeout over the total", o => (o.AttemptTimeout, o.TotalTimeout) = (TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), nameof(RetryOptions.AttemptTimeout) },
    };

    [Theory]
    [MemberData(nameof(OptionBounds))]
    public void Options_are_checked_at_their_bounds_when_the_middleware_is_made_and_a_refusal_names_the_option(
        string bound, Action<RetryOptions> set, string? refusedOption)
    {
        var options = new RetryOptions();
        set(options);

        var make = FluentActions.Invoking(() => new RetryMiddleware(options));

        if (refusedOption is null)
        {
            make.Should().NotThrow(bound);
        }
        else
        {
            var refusal = make.Should().Throw<ArgumentException>(bound).Which;
            refusal.ParamName.Should().Be(refusedOption, bound);
            refusal.Message.Should().StartWith(refusedOption, "the message itself says which option is wrong and why ({0})", bound);
        }
    }

    // A backend whose chat answers only when its token is cancelled (a timeout or the caller), counting the attempts.
    private static Mock<IGenerationHandler> HangingChatHandler(StrongBox<int> calls)
    {
        var handler = new Mock<IGenerationHandler>();
        handler.SetupGet(h => h.Info).Returns(TestHandlers.Info());
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async (ChatRequest _, CancellationToken ct) =>
            {
                Interlocked.Increment(ref calls.Value);
                await Task.Delay(Timeout.Infinite, ct);
                return TestHandlers.Answer();
            });
        return handler;
    }

    // A span of the test's own around the retry middleware, so that its retry events can be read after the call.
    private static GenerationPipeline BuildRecordingRetryEvents(IGenerationHandler handler, FakeTimeProvider clock, List<ActivityEvent> events) =>
        Build(handler, clock, outer: async (context, next) =>
        {
            using var span = new Activity("chat").Start();
            context.GenerationActivity = span;
            await next(context);
            events.AddRange(span.Events);
        });

    private static GenerationPipeline Build(
        IGenerationHandler handler,
        FakeTimeProvider clock,
        Action<RetryOptions>? configure = null,
        Func<GenerationContext, GenerationDelegate, ValueTask>? outer = null)
    {
        var builder = handler.AsBuilder();
        builder.TimeProvider = clock;
        if (outer is not null)
        {
            builder.Use(outer);
        }

        return builder.UseRetry(o =>
        {
            o.UseJitter = false;
            configure?.Invoke(o);
        }).Build();
    }

    private static void VerifyCalls(Mock<IGenerationHandler> handler, int times) =>
        handler.Verify(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(times));
}
