using System.Diagnostics;
using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Tracing.Tests;

public sealed class AttributeTests
{
    private static readonly GenerationOptions FullOptions = new()
    {
        ModelId = "granite-3-8b",
        Temperature = 0.5,
        TopP = 0.9,
        TopK = 40,
        MaxOutputTokens = 256,
        StopSequences = ["END", "STOP"],
        Seed = 42,
        FrequencyPenalty = 0.1,
        PresencePenalty = -0.2,
        ChoiceCount = 2,
        ReasoningLevel = "low",
        ConversationId = "conv-7",
        ResponseFormat = ResponseFormat.ForJsonSchema("weather", JsonDocument.Parse("""{"type":"object"}""").RootElement),
        Tools = [new ToolDefinition("lookup", "Looks things up")],
    };

    [Fact]
    public async Task Request_attributes_are_set_at_start_with_the_semconv_types()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest([ChatMessage.System("s"), ChatMessage.User("u")], FullOptions)));

        var span = collector.GenerationSpans.Single();
        span.GetTagItem(GenAiAttributes.OperationName).Should().Be("chat");
        span.GetTagItem(GenAiAttributes.RequestTemperature).Should().BeOfType<double>().Which.Should().Be(0.5);
        span.GetTagItem(GenAiAttributes.RequestTopP).Should().BeOfType<double>().Which.Should().Be(0.9);
        span.GetTagItem(GenAiAttributes.RequestTopK).Should().BeOfType<int>().Which.Should().Be(40);
        span.GetTagItem(GenAiAttributes.RequestMaxTokens).Should().BeOfType<int>().Which.Should().Be(256);
        span.GetTagItem(GenAiAttributes.RequestStopSequences).Should().BeOfType<string[]>().Which.Should().Equal("END", "STOP");
        span.GetTagItem(GenAiAttributes.RequestSeed).Should().BeOfType<long>().Which.Should().Be(42);
        span.GetTagItem(GenAiAttributes.RequestFrequencyPenalty).Should().BeOfType<double>();
        span.GetTagItem(GenAiAttributes.RequestPresencePenalty).Should().BeOfType<double>();
        span.GetTagItem(GenAiAttributes.RequestChoiceCount).Should().BeOfType<int>().Which.Should().Be(2);
        span.GetTagItem(GenAiAttributes.RequestStream).Should().Be(true);
        span.GetTagItem(GenAiAttributes.OutputType).Should().Be("json");
        span.GetTagItem(GenAiAttributes.MelleaRequestFormatType).Should().Be("weather");
        span.GetTagItem(GenAiAttributes.ConversationId).Should().Be("conv-7");
        span.GetTagItem(GenAiAttributes.RequestReasoningLevel).Should().Be("low");
        span.GetTagItem(GenAiAttributes.MelleaRequestContextSize).Should().Be(2);
        span.GetTagItem(GenAiAttributes.MelleaRequestTools).Should().Be(1);

        // What a sampler saw when the span was created.
        var atCreation = collector.SamplerTags.Single().ToDictionary(p => p.Key, p => p.Value);
        atCreation.Should().ContainKeys(GenAiAttributes.OperationName, GenAiAttributes.ProviderName, GenAiAttributes.RequestModel, GenAiAttributes.ServerAddress, GenAiAttributes.ServerPort);
    }

    [Fact]
    public async Task Optional_request_attributes_are_absent_when_unset_and_choice_count_one_is_not_recorded()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("hi", new GenerationOptions { ChoiceCount = 1 }));

        var span = collector.GenerationSpans.Single();
        foreach (var key in new[]
        {
            GenAiAttributes.RequestTemperature, GenAiAttributes.RequestTopK, GenAiAttributes.RequestStopSequences,
            GenAiAttributes.RequestChoiceCount, GenAiAttributes.RequestStream, GenAiAttributes.OutputType,
            GenAiAttributes.ConversationId, GenAiAttributes.ResponseTimeToFirstChunk,
        })
        {
            span.GetTagItem(key).Should().BeNull(key);
        }
    }

    [Fact]
    public async Task Response_attributes_come_from_the_metadata_with_the_semconv_types()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));

        var span = collector.GenerationSpans.Single();
        span.GetTagItem(GenAiAttributes.ResponseModel).Should().Be("granite-3-8b-instruct");
        span.GetTagItem(GenAiAttributes.ResponseId).Should().Be("chatcmpl-42");
        span.GetTagItem(GenAiAttributes.ResponseFinishReasons).Should().BeOfType<string[]>().Which.Should().Equal("stop");
        span.GetTagItem(GenAiAttributes.UsageInputTokens).Should().BeOfType<long>().Which.Should().Be(12);
        span.GetTagItem(GenAiAttributes.UsageOutputTokens).Should().Be(7L);
        span.GetTagItem(GenAiAttributes.UsageCacheReadInputTokens).Should().Be(2L);
        span.GetTagItem(GenAiAttributes.UsageCacheWriteInputTokens).Should().Be(1L);
        span.GetTagItem(GenAiAttributes.UsageReasoningOutputTokens).Should().Be(3L);
        span.GetTagItem(GenAiAttributes.MelleaUsageTotalTokens).Should().BeNull("a total that is input + output is derivable, as in semconv");
        span.GetTagItem(GenAiAttributes.ResponseTimeToFirstChunk).Should().BeNull("time to first chunk is for streams");
    }

    [Theory]
    [InlineData(19L, null)]
    [InlineData(25L, 25L)]
    public async Task The_total_token_count_is_recorded_only_when_the_provider_says_something_other_than_input_plus_output(long providerTotal, long? recorded)
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder()
            .UseTracing()
            .Use(async (context, next) =>
            {
                await next(context);
                context.ChatResponse!.Metadata!.Usage!.TotalTokens = providerTotal;
            })
            .Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));

        collector.GenerationSpans.Single().GetTagItem(GenAiAttributes.MelleaUsageTotalTokens).Should().Be(recorded);
    }

    [Fact]
    public async Task A_raw_batch_gets_one_text_completion_span_with_the_prompt_count()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.CompleteRawAsync(new RawCompletionRequest(["a", "b", "c"]));

        var span = collector.GenerationSpans.Should().ContainSingle().Subject;
        span.DisplayName.Should().Be("text_completion granite-3-8b");
        span.GetTagItem(GenAiAttributes.OperationName).Should().Be("text_completion");
        span.GetTagItem(GenAiAttributes.MelleaRequestPromptCount).Should().Be(3);
    }

    [Fact]
    public async Task A_stream_records_time_to_first_chunk_and_its_milestone_events_on_the_pipeline_clock()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var clock = new FakeTimeProvider();
        var pipeline = new CannedHandler { Text = "one two three" }.AsBuilder()
            .UseTracing()
            .Use(async (context, next) =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await next(context);
                clock.Advance(TimeSpan.FromMilliseconds(750));
            })
            .Build(new ServicesWith(clock));

        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest("go")));

        var span = collector.GenerationSpans.Single();
        span.GetTagItem(GenAiAttributes.ResponseTimeToFirstChunk).Should().BeOfType<double>().Which.Should().BeApproximately(0.25, 1e-9);
        span.Duration.Should().Be(TimeSpan.FromSeconds(1));
        span.StartTimeUtc.Should().Be(clock.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(1));
        var first = span.Events.Single(e => e.Name == GenAiAttributes.Events.StreamFirstChunk);
        first.Timestamp.Should().Be(new DateTimeOffset(span.StartTimeUtc + TimeSpan.FromMilliseconds(250), TimeSpan.Zero));
        first.Tags.Should().Contain(new KeyValuePair<string, object?>(GenAiAttributes.MelleaStreamTimeToFirstChunk, 0.25));
        var end = span.Events.Single(e => e.Name == GenAiAttributes.Events.StreamEnd);
        end.Tags.Should().Contain(new KeyValuePair<string, object?>(GenAiAttributes.MelleaStreamChunkCount, 4));
        end.Tags.Should().Contain(new KeyValuePair<string, object?>(GenAiAttributes.MelleaOutcome, "completed"), "the end event keeps its outcome");
        span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().BeNull("a span without an outcome completed");
        span.Events.Should().NotContain(e => e.Name == GenAiAttributes.Events.StreamChunk, "per-chunk events are opt-in");
    }

    [Fact]
    public async Task Per_chunk_events_appear_only_when_asked_for_by_option_or_environment()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?> { ["MELLEA_GENERATION_CHUNK_EVENTS"] = " Yes " });
        var byEnvironment = new CannedHandler { Text = "a b c" }.AsBuilder().UseTracing(o => o.Environment = environment).Build();
        var byOption = new CannedHandler { Text = "a b c" }.AsBuilder().UseTracing(o => o.ChunkEvents = true).Build();
        var optionWins = new CannedHandler { Text = "a b c" }.AsBuilder().UseTracing(o =>
        {
            o.Environment = environment;
            o.ChunkEvents = false;
        }).Build();

        await TestStreams.Drain(byEnvironment.StreamChatAsync(new ChatRequest("x")));
        await TestStreams.Drain(byOption.StreamChatAsync(new ChatRequest("x")));
        await TestStreams.Drain(optionWins.StreamChatAsync(new ChatRequest("x")));

        var counts = collector.GenerationSpans.Select(s => s.Events.Count(e => e.Name == GenAiAttributes.Events.StreamChunk)).ToList();
        counts.Should().Equal(4, 4, 0);
        var chunk = collector.GenerationSpans[0].Events.Where(e => e.Name == GenAiAttributes.Events.StreamChunk).ToList();
        chunk.Select(e => e.Tags.Single(t => t.Key == GenAiAttributes.MelleaChunkIndex).Value).Should().Equal(0, 1, 2, 3);
        // "a", " b", " c", then the final update without text.
        chunk.Select(e => e.Tags.Single(t => t.Key == GenAiAttributes.MelleaChunkTextLength).Value).Should().Equal(1, 2, 2, 0);
        chunk[0].Tags.Should().NotContain(t => t.Key == GenAiAttributes.MelleaTimeSinceLastChunkMs);
        chunk[1].Tags.Should().Contain(t => t.Key == GenAiAttributes.MelleaTimeSinceLastChunkMs);
    }

    [Fact]
    public async Task Retry_attempts_recorded_by_an_inner_middleware_land_on_the_one_logical_span()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var calls = 0;
        var pipeline = new CannedHandler().AsBuilder()
            .UseTracing()
            .Use(async (context, next) =>
            {
                // A stand-in for the retry middleware: it retries inside the span and says so on the context.
                while (true)
                {
                    try
                    {
                        calls++;
                        if (calls < 3)
                        {
                            throw new GenerationException(ErrorCategory.ServerError, "flaky") { StatusCode = 500 };
                        }

                        await next(context);
                        return;
                    }
                    catch (GenerationException)
                    {
                        context.RetryCount++;
                        context.GenerationActivity!.AddEvent(new ActivityEvent("retry"));
                    }
                }
            })
            .Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));

        var span = collector.GenerationSpans.Should().ContainSingle().Subject;
        span.GetTagItem(GenAiAttributes.MelleaRetryAttempts).Should().Be(2);
        span.Events.Count(e => e.Name == "retry").Should().Be(2);
        span.Status.Should().Be(ActivityStatusCode.Unset, "retried errors that ended in success are not errors");
    }

    [Fact]
    public async Task Retry_outside_tracing_gives_one_span_per_attempt()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var handler = new CannedHandler();
        var attempts = 0;
        handler.FailMidway = () => ++attempts == 1 ? new GenerationException(ErrorCategory.ServerError, "flaky") { StatusCode = 500 } : null;
        var pipeline = handler.AsBuilder()
            .Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (GenerationException)
                {
                    await next(context);
                }
            })
            .UseTracing()
            .Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));

        collector.GenerationSpans.Select(s => s.GetTagItem(GenAiAttributes.MelleaOutcome)).Should().Equal(new object?[] { "failed", null }, "a completed span has no outcome");
    }

    [Fact]
    public async Task Conversation_ids_come_from_the_request_or_an_ambient_scope_and_are_never_invented()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("no id"));
        using (ConversationScope.Begin("ambient-1"))
        {
            await pipeline.ChatAsync(new ChatRequest("ambient"));
            await pipeline.ChatAsync(new ChatRequest("own", new GenerationOptions { ConversationId = "own-2" }));
        }

        await pipeline.ChatAsync(new ChatRequest("after"));

        collector.GenerationSpans.Select(s => s.GetTagItem(GenAiAttributes.ConversationId)).Should().Equal(new object?[] { null, "ambient-1", "own-2", null });
    }

    [Fact]
    public async Task Enrichment_adds_only_allowlisted_caller_tags_and_a_failing_callback_fails_nothing()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var enrichment = new TelemetryEnrichmentOptions { Enrich = (_, tags) => tags["feature"] = "search" };
        enrichment.AllowedTags.Add("tenant");
        enrichment.AllowedTags.Add("feature");
        var broken = new TelemetryEnrichmentOptions { Enrich = (_, _) => throw new InvalidOperationException("bug") };
        broken.AllowedTags.Add("tenant");
        var pipeline = new CannedHandler().AsBuilder().UseTracing(o => o.Enrichment = enrichment).Build();
        var brokenPipeline = new CannedHandler().AsBuilder().UseTracing(o => o.Enrichment = broken).Build();
        var tags = new Dictionary<string, string> { ["tenant"] = "acme", ["user_email"] = "a@b.c" };

        await pipeline.ChatAsync(new ChatRequest("hi", new GenerationOptions { TelemetryTags = tags }));
        await brokenPipeline.ChatAsync(new ChatRequest("hi", new GenerationOptions { TelemetryTags = tags }));

        var span = collector.GenerationSpans[0];
        span.GetTagItem("tenant").Should().Be("acme");
        span.GetTagItem("feature").Should().Be("search");
        span.GetTagItem("user_email").Should().BeNull();
        collector.GenerationSpans[1].GetTagItem("tenant").Should().Be("acme");
    }

    [Theory]
    [InlineData(new[] { "stop" }, new[] { "stop" })]
    [InlineData(new[] { "max_tokens" }, new[] { "length" })]
    [InlineData(new[] { "tool_calls" }, new[] { "tool_call" })]
    [InlineData(new[] { "content_filter" }, new[] { "content_filter" })]
    [InlineData(new[] { "cancelled" }, new[] { "error" })]
    [InlineData(new[] { "recitation" }, new[] { "recitation" })]
    [InlineData(new[] { "stop", "max_tokens" }, new[] { "stop", "length" })]
    [InlineData(new string[0], new string[0])]
    public async Task Finish_reasons_are_the_normalized_values_one_per_choice(string[] raw, string[] expected)
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var metadata = CannedHandler.Metadata();
        metadata.FinishReasons = [.. raw.Select(r => FinishReason.Normalize(r))];
        var pipeline = TracedAnswer(metadata);

        await pipeline.ChatAsync(new ChatRequest("hi"));

        var reasons = collector.GenerationSpans.Single().GetTagItem(GenAiAttributes.ResponseFinishReasons);
        if (expected.Length == 0)
        {
            reasons.Should().BeNull("no choice, no finish reason");
        }
        else
        {
            reasons.Should().BeOfType<string[]>().Which.Should().Equal(expected);
        }
    }

    [Fact]
    public async Task A_span_starts_when_its_call_starts_and_lasts_as_long_as_the_call_on_the_pipelines_clock()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var pipeline = TracedAnswer(CannedHandler.Metadata(), clock, takes: TimeSpan.FromSeconds(1.5));

        clock.Advance(TimeSpan.FromHours(1));
        await pipeline.ChatAsync(new ChatRequest("hi"));

        var span = collector.GenerationSpans.Single();
        span.StartTimeUtc.Should().Be(new DateTime(2026, 12, 7, 10, 0, 0, DateTimeKind.Utc));
        span.Duration.Should().Be(TimeSpan.FromSeconds(1.5));
        span.GetTagItem(GenAiAttributes.MelleaRetryAttempts).Should().BeNull("a call that was not retried has no retry count");
    }

    [Fact]
    public async Task A_call_that_takes_no_time_on_the_pipelines_clock_still_ends_on_that_clock()
    {
        // Activity.Stop replaces an unset end (a zero duration) with the wall clock's "now", which would put a fake-clock
        // span's end anywhere; an end set at the start must still count as set.
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var clock = new FakeTimeProvider(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var pipeline = TracedAnswer(CannedHandler.Metadata(), clock, takes: TimeSpan.Zero);

        await pipeline.ChatAsync(new ChatRequest("hi"));

        var span = collector.GenerationSpans.Single();
        span.StartTimeUtc.Should().Be(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        span.Duration.Should().Be(TimeSpan.FromTicks(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_content_length_cap_must_be_positive(int cap)
    {
        var options = new TracingOptions();

        options.Invoking(o => o.MaxContentLength = cap).Should().Throw<ArgumentOutOfRangeException>();
        options.MaxContentLength = 1;
        options.MaxContentLength.Should().Be(1);
    }

    [Fact]
    public async Task One_middleware_names_each_span_by_its_own_operation_when_calls_alternate_on_one_model()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));
        await pipeline.CompleteRawAsync(new RawCompletionRequest(["hi"]));
        await pipeline.ChatAsync(new ChatRequest("hi"));
        await pipeline.ChatAsync(new ChatRequest("hi", new GenerationOptions { ModelId = "other-model" }));

        collector.GenerationSpans.Select(s => s.DisplayName).Should()
            .Equal("chat granite-3-8b", "text_completion granite-3-8b", "chat granite-3-8b", "chat other-model");
        collector.GenerationSpans.Select(s => s.GetTagItem(GenAiAttributes.OperationName)).Should()
            .Equal("chat", "text_completion", "chat", "chat");
        collector.GenerationSpans.Select(s => s.GetTagItem(GenAiAttributes.RequestModel)).Should()
            .Equal("granite-3-8b", "granite-3-8b", "granite-3-8b", "other-model");
    }

    // Tracing around an answer given without the handler, taking `takes` on the pipeline's clock (the system's when null).
    private static GenerationPipeline TracedAnswer(GenerationMetadata metadata, FakeTimeProvider? clock = null, TimeSpan takes = default)
    {
        var builder = new CannedHandler().AsBuilder();
        builder.TimeProvider = clock;
        return builder
            .UseTracing()
            .Use((context, _) =>
            {
                clock?.Advance(takes);
                context.ChatResponse = new ChatResponse("cached", metadata);
                return ValueTask.CompletedTask;
            })
            .Build();
    }

    private sealed class ServicesWith(TimeProvider clock) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(TimeProvider) ? clock : null;
    }
}
