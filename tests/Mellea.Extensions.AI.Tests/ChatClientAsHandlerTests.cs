using System.Net;
using Mellea.Testing;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>An <see cref="IChatClient"/> Mellea does not ship, used as a Mellea backend.</summary>
public sealed class ChatClientAsHandlerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static FunctionCallContent WeatherCall() => new("call_9", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" });

    [Fact]
    public async Task The_answer_maps_to_a_Mellea_response_and_gets_Mellea_tracing()
    {
        var fake = new FakeChatClient(FakeChatClient.Answer("Checking", WeatherCall()));
        using var collector = new ActivityCollector();
        ChatResponse response;
        using (collector.StartRoot())
        {
            var pipeline = fake.AsGenerationHandler().AsBuilder().UseTracing().Build();
            response = await pipeline.ChatAsync(new ChatRequest(OptionsSamples.MelleaConversation(), OptionsSamples.MelleaOptions()), Token);
        }

        response.Text.Should().Be("Checking");
        response.ReasoningText.Should().Be("thinking…");
        var call = response.ToolCalls.Should().ContainSingle().Subject;
        (call.CallId, call.Name, call.ArgumentsJson).Should().Be(("call_9", "get_weather", """{"city":"Oslo"}"""));
        response.Choices[0].FinishReason!.Value.Kind.Should().Be(FinishReasonKind.ToolCall);
        var metadata = response.Metadata;
        (metadata.ProviderName, metadata.ServerAddress, metadata.ServerPort).Should().Be(("fakeai", "127.0.0.1", 9999));
        (metadata.ResponseId, metadata.ResponseModel, metadata.RequestModel).Should().Be(("fake-1", "fake-model-2026", "gpt-test"));
        var usage = metadata.Usage!;
        (usage.InputTokens, usage.OutputTokens, usage.TotalTokens, usage.CacheReadInputTokens, usage.CacheWriteInputTokens, usage.ReasoningOutputTokens)
            .Should().Be((12L, 8L, 20L, 4L, 2L, 3L));

        var span = collector.GenerationSpans.Should().ContainSingle().Subject;
        span.GetTagItem(GenAiAttributes.ProviderName).Should().Be("fakeai");
        span.GetTagItem(GenAiAttributes.ServerAddress).Should().Be("127.0.0.1");
        span.GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(12L);
        span.GetTagItem(GenAiAttributes.ResponseModel).Should().Be("fake-model-2026");
    }

    [Fact]
    public async Task A_chat_client_backend_gets_Mellea_metrics_with_its_provider_and_usage()
    {
        using var meter = new System.Diagnostics.Metrics.Meter("interop-metrics-" + Guid.NewGuid().ToString("N"));
        using var metrics = new MetricCollector(meter);
        var fake = new FakeChatClient(FakeChatClient.Answer("ok"));
        var pipeline = fake.AsGenerationHandler().AsBuilder().UseMetrics(meter, o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>())).Build();

        await pipeline.ChatAsync(new ChatRequest("hi"), Token);

        var duration = metrics.Of(MelleaMetrics.OperationDuration).Should().ContainSingle().Subject;
        duration.Tag(GenAiAttributes.ProviderName).Should().Be("fakeai");
        duration.Tag(GenAiAttributes.ResponseModel).Should().Be("fake-model-2026");
        metrics.Of(MelleaMetrics.TokenUsage).Select(m => ((string?)m.Tag(GenAiAttributes.TokenType), m.Value))
            .Should().BeEquivalentTo(new[] { ("input", 12.0), ("output", 8.0) });
    }

    [Fact]
    public async Task Every_shared_option_and_message_reaches_the_chat_client()
    {
        var fake = new FakeChatClient(FakeChatClient.Answer("ok"));
        var handler = fake.AsGenerationHandler("fakeai");

        await handler.ChatAsync(new ChatRequest(OptionsSamples.MelleaConversation(), OptionsSamples.MelleaOptions()), Token);

        var (messages, options) = fake.Calls.Single();
        options!.ModelId.Should().Be("gpt-test");
        options.Temperature.Should().Be(0.7f);
        options.TopK.Should().Be(40);
        options.Seed.Should().Be(42);
        options.ToolMode.Should().Be(ChatToolMode.RequireSpecific("get_weather"));
        options.Tools!.Cast<AIFunctionDeclaration>().Single().JsonSchema.GetRawText().Should().Be(OptionsSamples.Schema.GetRawText());
        ((ChatResponseFormatJson)options.ResponseFormat!).SchemaName.Should().Be("weather");
        options.Reasoning!.Effort.Should().Be(ReasoningEffort.High);
        options.AllowMultipleToolCalls.Should().BeFalse();
        options.ConversationId.Should().Be("conv-1");
        options.AdditionalProperties!["user"].Should().Be("u-1");
        messages.Select(m => m.Role.Value).Should().Equal("system", "user", "assistant", "tool");
        var call = messages[2].Contents.OfType<FunctionCallContent>().Single();
        (call.CallId, call.Name).Should().Be(("call_1", "get_weather"));
        var result = messages[3].Contents.OfType<FunctionResultContent>().Single();
        (result.CallId, result.Result).Should().Be(("call_1", """{"error":"offline"}"""));
        result.AdditionalProperties![InteropKeys.ToolResultIsError].Should().Be(true);
    }

    [Fact]
    public async Task A_stream_becomes_Mellea_deltas_and_one_final_update_with_the_summed_usage()
    {
        var fake = new FakeChatClient(FakeChatClient.Answer("It is cold", WeatherCall()));
        var handler = fake.AsGenerationHandler();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in handler.StreamChatAsync(new ChatRequest("Weather?"), Token))
        {
            updates.Add(update);
        }

        string.Concat(updates.Select(u => u.TextDelta)).Should().Be("It is cold");
        string.Concat(updates.Select(u => u.ReasoningDelta)).Should().Be("thinking…");
        var delta = updates.SelectMany(u => u.ToolCallDeltas ?? []).Should().ContainSingle().Subject;
        (delta.Index, delta.CallId, delta.Name, delta.ArgumentsDelta).Should().Be((0, "call_9", "get_weather", """{"city":"Oslo"}"""));
        updates.Where(u => u.Metadata is not null).Should().ContainSingle().Which.Should().BeSameAs(updates[^1]);
        updates[^1].FinishReason!.Value.Kind.Should().Be(FinishReasonKind.ToolCall);
        updates[^1].Metadata!.Streamed.Should().BeTrue();
        updates[^1].Metadata!.Usage!.CacheWriteInputTokens.Should().Be(2);
        updates[^1].Metadata!.ResponseModel.Should().Be("fake-model-2026");
    }

    [Fact]
    public async Task A_failing_client_becomes_a_classified_GenerationException_that_retry_understands()
    {
        var attempts = 0;
        var fake = new FakeChatClient(FakeChatClient.Answer("second time lucky"))
        {
            Fail = () => ++attempts == 1 ? new HttpRequestException("busy", null, HttpStatusCode.ServiceUnavailable) : null!,
        };
        var pipeline = fake.AsGenerationHandler().AsBuilder().UseRetry(o => { o.InitialDelay = TimeSpan.Zero; o.UseJitter = false; }).Build();

        var response = await pipeline.ChatAsync(new ChatRequest("hi"), Token);

        response.Text.Should().Be("second time lucky");
        fake.Calls.Should().HaveCount(2);

        var limited = new FakeChatClient { Fail = () => new HttpRequestException("slow down", null, HttpStatusCode.TooManyRequests) };
        var act = async () => await limited.AsGenerationHandler().ChatAsync(new ChatRequest("hi"), Token);
        var thrown = await act.Should().ThrowAsync<GenerationException>();
        thrown.Which.Category.Should().Be(ErrorCategory.RateLimit);
        thrown.Which.StatusCode.Should().Be(429);
        thrown.Which.ProviderName.Should().Be("fakeai");
        thrown.Which.InnerException.Should().BeOfType<HttpRequestException>();
    }

    [Fact]
    public async Task Cancellation_stays_cancellation_and_raw_completion_is_refused()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var fake = new FakeChatClient { Fail = () => new OperationCanceledException(cts.Token) };
        var handler = fake.AsGenerationHandler();

        var cancelled = async () => await handler.ChatAsync(new ChatRequest("hi"), cts.Token);
        var raw = async () => await handler.CompleteRawAsync(new RawCompletionRequest(["hi"]), Token);

        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        (await raw.Should().ThrowAsync<GenerationException>()).Which.Category.Should().Be(ErrorCategory.InvalidRequest);
    }

    [Fact]
    public void Provider_endpoint_and_model_come_from_the_arguments_first_then_the_metadata()
    {
        var fake = new FakeChatClient();

        var fromMetadata = fake.AsGenerationHandler().Info;
        var explicitInfo = fake.AsGenerationHandler("anthropic", new Uri("https://api.example.test:8443/v1"), "claude-x").Info;

        (fromMetadata.ProviderName, fromMetadata.ServerAddress, fromMetadata.ServerPort, fromMetadata.DefaultModelId).Should().Be(("fakeai", "127.0.0.1", 9999, "fake-model"));
        (explicitInfo.ProviderName, explicitInfo.ServerAddress, explicitInfo.ServerPort, explicitInfo.DefaultModelId).Should().Be(("anthropic", "api.example.test", 8443, "claude-x"));
    }
}
