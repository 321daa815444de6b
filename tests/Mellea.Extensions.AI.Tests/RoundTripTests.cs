using System.Text.Json;
using Mellea.Backends.OpenAI;
using Mellea.Testing;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>
/// Mellea → IChatClient → Mellea and IChatClient → Mellea → IChatClient give back what went in: in memory for every field, and
/// against the provider emulator with the OpenAI backend, streaming included.
/// </summary>
public sealed class RoundTripTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static IGenerationHandler MelleaThroughChatClient(IGenerationHandler handler) => handler.AsChatClient().AsGenerationHandler();

    private static IChatClient ChatClientThroughMellea(IChatClient client) => client.AsGenerationHandler().AsBuilder().UseTracing().Build().AsChatClient();

    [Theory]
    [InlineData("high")]
    [InlineData("minimal")]
    public async Task Mellea_to_IChatClient_to_Mellea_keeps_request_and_response(string reasoning)
    {
        var turn = new Turn("Checking", [new ToolCallPart("c1", "get_weather", """{"city": "Paris" }""")], Reasoning: "hmm");
        var direct = await new ScriptedHandler(turn).ChatAsync(new ChatRequest("x"), Token);
        var handler = new ScriptedHandler(turn);
        var roundTrip = MelleaThroughChatClient(handler);
        var options = OptionsSamples.MelleaOptions(reasoning);

        var response = await roundTrip.ChatAsync(new ChatRequest(OptionsSamples.MelleaConversation(), options), Token);

        var received = handler.Requests.Single();
        received.Messages.ShouldMatch(OptionsSamples.MelleaConversation());
        received.Options!.ShouldMatch(options);
        roundTrip.Info.ProviderName.Should().Be("openai");
        (roundTrip.Info.ServerAddress, roundTrip.Info.ServerPort, roundTrip.Info.DefaultModelId).Should().Be(("127.0.0.1", 8089, "gpt-test"));
        ShouldMatch(response, direct);
    }

    [Fact]
    public async Task Mellea_to_IChatClient_to_Mellea_keeps_a_stream()
    {
        var turn = new Turn("Checking the weather", [new ToolCallPart("c1", "get_weather", """{"city":"Paris"}""")], Reasoning: "hmm");
        var direct = await CollectAsync(new ScriptedHandler(turn).StreamChatAsync(new ChatRequest("x"), Token));

        var roundTrip = await CollectAsync(MelleaThroughChatClient(new ScriptedHandler(turn)).StreamChatAsync(new ChatRequest("x"), Token));

        string.Concat(roundTrip.Select(u => u.TextDelta)).Should().Be(string.Concat(direct.Select(u => u.TextDelta)));
        string.Concat(roundTrip.Select(u => u.ReasoningDelta)).Should().Be("hmm");
        Assemble(roundTrip).Should().Equal(Assemble(direct));
        var final = roundTrip[^1];
        final.FinishReason.Should().Be(direct[^1].FinishReason);
        ShouldMatch(final.Metadata!.Usage!, direct[^1].Metadata!.Usage!);
        (final.Metadata.ResponseId, final.Metadata.ResponseModel).Should().Be((direct[^1].Metadata!.ResponseId, direct[^1].Metadata!.ResponseModel));
    }

    [Fact]
    public async Task IChatClient_to_Mellea_to_IChatClient_keeps_request_and_response()
    {
        var answer = FakeChatClient.Answer("Checking", new FunctionCallContent("call_9", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" }));
        var fake = new FakeChatClient(answer);
        using var roundTrip = ChatClientThroughMellea(fake);
        var options = OptionsSamples.MeaiOptions();

        var response = await roundTrip.GetResponseAsync(OptionsSamples.MeaiConversation(), options, Token);

        var (messages, received) = fake.Calls.Single();
        received!.ShouldMatch(options);
        messages.Select(m => (m.Role, m.Text)).Should().Equal(OptionsSamples.MeaiConversation().Select(m => (m.Role, m.Text)));
        var sentCall = messages[2].Contents.OfType<FunctionCallContent>().Single();
        (sentCall.CallId, sentCall.Name, ((JsonElement)sentCall.Arguments!["city"]!).GetString()).Should().Be(("call_1", "get_weather", "Paris"));
        var sentResult = messages[3].Contents.OfType<FunctionResultContent>().Single();
        (sentResult.CallId, sentResult.Result).Should().Be(("call_1", "21C"));
        ShouldMatch(response, answer);
    }

    [Fact]
    public async Task IChatClient_to_Mellea_to_IChatClient_keeps_a_stream()
    {
        var answer = FakeChatClient.Answer("It is cold", new FunctionCallContent("call_9", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" }));
        using var roundTrip = ChatClientThroughMellea(new FakeChatClient(answer));

        var updates = new List<Meai.ChatResponseUpdate>();
        await foreach (var update in roundTrip.GetStreamingResponseAsync("Weather?", cancellationToken: Token))
        {
            updates.Add(update);
        }

        updates.Select(u => u.Text).Where(t => t.Length > 0).Should().Equal("It", " is", " cold");
        ShouldMatch(updates.ToChatResponse(), answer);
    }

    [Fact]
    public async Task Against_the_emulator_an_OpenAI_backend_behind_an_IChatClient_runs_the_tool_loop_with_tracing()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(
            EmulatorScript.ToolCall("call_1", "get_weather", "{\"city\":", "\"Paris\"}").WithUsage(20, 5),
            EmulatorScript.Text("Sunny", " in Paris").WithUsage(40, 3, cachedInputTokens: 8).WithIdentity("chatcmpl-2", "gpt-test-2026"));
        using var http = new HttpClient();
        var backend = new OpenAIBackend(http, new OpenAIBackendOptions { BaseUrl = emulator.OpenAIBaseUrl, ApiKey = "sk-test", Model = "gpt-test" });
        var weather = AIFunctionFactory.Create((string city) => $"{city}: sunny", "get_weather", "Weather by city");
        using var collector = new ActivityCollector();
        ChatResponse response;
        using (collector.StartRoot())
        {
            var pipeline = MelleaThroughChatClient(backend).AsBuilder().UseToolInvocation(weather).UseTracing().Build();
            response = await pipeline.ChatAsync(new ChatRequest("Weather in Paris?"), Token);
        }

        response.Text.Should().Be("Sunny in Paris");
        response.Metadata.Usage!.InputTokens.Should().Be(60);
        response.Metadata.Usage.CacheReadInputTokens.Should().Be(8);
        response.Metadata.ResponseModel.Should().Be("gpt-test-2026");

        var second = emulator.Requests[1].Json!.Value;
        second.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        var wireMessages = second.GetProperty("messages");
        wireMessages[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString().Should().Be("{\"city\":\"Paris\"}");
        wireMessages[2].GetProperty("role").GetString().Should().Be("tool");
        wireMessages[2].GetProperty("tool_call_id").GetString().Should().Be("call_1");
        wireMessages[2].GetProperty("content").GetString().Should().Be("Paris: sunny");

        var loop = collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName);
        collector.Started.Where(a => a.ParentSpanId == loop.SpanId).Select(a => a.DisplayName)
            .Should().Equal("chat gpt-test", "execute_tool get_weather", "chat gpt-test");
    }

    [Fact]
    public async Task Against_the_emulator_a_stream_round_trips_both_ways()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var script = EmulatorScript.Text("Hel", "lo", " there").WithUsage(11, 3, cachedInputTokens: 2, reasoningOutputTokens: 1).WithIdentity("chatcmpl-9", "gpt-test-2026");
        emulator.Enqueue(script, script, script, script);
        using var http = new HttpClient();
        var backend = new OpenAIBackend(http, new OpenAIBackendOptions { BaseUrl = emulator.OpenAIBaseUrl, ApiKey = "sk-test", Model = "gpt-test" });

        // Mellea → IChatClient → Mellea, against the direct Mellea stream.
        var direct = await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var viaChatClient = await CollectAsync(MelleaThroughChatClient(backend).StreamChatAsync(new ChatRequest("hi"), Token));
        string.Concat(viaChatClient.Select(u => u.TextDelta)).Should().Be("Hello there").And.Be(string.Concat(direct.Select(u => u.TextDelta)));
        ShouldMatch(viaChatClient[^1].Metadata!.Usage!, direct[^1].Metadata!.Usage!);
        viaChatClient[^1].FinishReason.Should().Be(direct.Last(u => u.FinishReason is not null).FinishReason);
        viaChatClient[^1].Metadata!.FinishReasons.Should().Equal(direct[^1].Metadata!.FinishReasons);
        viaChatClient[^1].Metadata!.ResponseId.Should().Be("chatcmpl-9");

        // IChatClient → Mellea → IChatClient, against the direct IChatClient stream.
        using var chatClient = backend.AsChatClient();
        var expected = await CollectAsync(chatClient.GetStreamingResponseAsync("hi", cancellationToken: Token));
        using var roundTrip = ChatClientThroughMellea(chatClient);
        var actual = await CollectAsync(roundTrip.GetStreamingResponseAsync("hi", cancellationToken: Token));
        actual.Select(u => u.Text).Where(t => t.Length > 0).Should().Equal(expected.Select(u => u.Text).Where(t => t.Length > 0));
        var expectedResponse = expected.ToChatResponse();
        var actualResponse = actual.ToChatResponse();
        actualResponse.Text.Should().Be("Hello there");
        actualResponse.FinishReason.Should().Be(expectedResponse.FinishReason);
        actualResponse.ResponseId.Should().Be(expectedResponse.ResponseId);
        actualResponse.ModelId.Should().Be(expectedResponse.ModelId);
        ShouldMatch(actualResponse.Usage!, expectedResponse.Usage!);
        emulator.Requests.Should().HaveCount(4);
        emulator.Requests.Should().OnlyContain(r => r.Json!.Value.GetProperty("stream").GetBoolean());
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> stream)
    {
        var items = new List<T>();
        await foreach (var item in stream)
        {
            items.Add(item);
        }

        return items;
    }

    private static List<string> Assemble(IEnumerable<ChatResponseUpdate> updates) =>
        [.. updates.SelectMany(u => u.ToolCallDeltas ?? []).GroupBy(d => d.Index)
            .Select(g => $"{g.First(d => d.CallId is not null).CallId}:{g.First(d => d.Name is not null).Name}:{string.Concat(g.Select(d => d.ArgumentsDelta))}")];

    private static void ShouldMatch(ChatResponse actual, ChatResponse expected)
    {
        actual.Text.Should().Be(expected.Text);
        actual.ReasoningText.Should().Be(expected.ReasoningText);
        actual.ToolCalls.Select(c => (c.CallId, c.Name, c.ArgumentsJson)).Should().Equal(expected.ToolCalls.Select(c => (c.CallId, c.Name, c.ArgumentsJson)));
        actual.Choices[0].FinishReason.Should().Be(expected.Choices[0].FinishReason);
        actual.Metadata.FinishReasons.Should().Equal(expected.Metadata.FinishReasons);
        (actual.Metadata.ResponseId, actual.Metadata.ResponseModel, actual.Metadata.ProviderRequestId)
            .Should().Be((expected.Metadata.ResponseId, expected.Metadata.ResponseModel, expected.Metadata.ProviderRequestId));
        ShouldMatch(actual.Metadata.Usage!, expected.Metadata.Usage!);
    }

    private static void ShouldMatch(UsageDetails actual, UsageDetails expected) =>
        (actual.InputTokens, actual.OutputTokens, actual.TotalTokens, actual.CacheReadInputTokens, actual.CacheWriteInputTokens, actual.ReasoningOutputTokens)
            .Should().Be((expected.InputTokens, expected.OutputTokens, expected.TotalTokens, expected.CacheReadInputTokens, expected.CacheWriteInputTokens, expected.ReasoningOutputTokens));

    private static void ShouldMatch(Meai.UsageDetails actual, Meai.UsageDetails expected)
    {
        (actual.InputTokenCount, actual.OutputTokenCount, actual.TotalTokenCount, actual.CachedInputTokenCount, actual.ReasoningTokenCount)
            .Should().Be((expected.InputTokenCount, expected.OutputTokenCount, expected.TotalTokenCount, expected.CachedInputTokenCount, expected.ReasoningTokenCount));
        actual.AdditionalCounts.Should().BeEquivalentTo(expected.AdditionalCounts);
    }

    private static void ShouldMatch(Meai.ChatResponse actual, Meai.ChatResponse expected)
    {
        actual.Text.Should().Be(expected.Text);
        actual.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(c => c.Text)
            .Should().Equal(expected.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(c => c.Text));
        var actualCalls = actual.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        var expectedCalls = expected.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        actualCalls.Select(c => (c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments))).Should().Equal(expectedCalls.Select(c => (c.CallId, c.Name, JsonSerializer.Serialize(c.Arguments))));
        actual.FinishReason.Should().Be(expected.FinishReason);
        actual.ResponseId.Should().Be(expected.ResponseId);
        actual.ModelId.Should().Be(expected.ModelId);
        ShouldMatch(actual.Usage!, expected.Usage!);
    }
}
