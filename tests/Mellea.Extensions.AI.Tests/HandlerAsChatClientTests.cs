using System.Text.Json;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>A Mellea handler seen through <see cref="IChatClient"/>.</summary>
public sealed class HandlerAsChatClientTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ScriptedHandler ToolTurn() =>
        new(new Turn("Checking", [new ToolCallPart("c1", "get_weather", """{"city":"Paris"}""")], Reasoning: "hmm"));

    [Fact]
    public async Task A_response_carries_text_reasoning_tool_calls_finish_reason_usage_and_ids()
    {
        var handler = ToolTurn();
        using var client = handler.AsChatClient();

        var response = await client.GetResponseAsync("Weather in Paris?", cancellationToken: Token);

        var message = response.Messages.Should().ContainSingle().Subject;
        message.Role.Should().Be(Meai.ChatRole.Assistant);
        message.Contents.OfType<TextReasoningContent>().Single().Text.Should().Be("hmm");
        message.Text.Should().Be("Checking");
        var call = message.Contents.OfType<FunctionCallContent>().Single();
        (call.CallId, call.Name).Should().Be(("c1", "get_weather"));
        ((JsonElement)call.Arguments!["city"]!).GetString().Should().Be("Paris");
        response.FinishReason.Should().Be(ChatFinishReason.ToolCalls);
        response.ResponseId.Should().Be("resp-8");
        response.ModelId.Should().Be("gpt-test-2026");
        response.Usage!.InputTokenCount.Should().Be(10);
        response.Usage.OutputTokenCount.Should().Be(5);
        response.Usage.TotalTokenCount.Should().Be(15);
        response.Usage.CachedInputTokenCount.Should().Be(2);
        response.Usage.ReasoningTokenCount.Should().Be(3);
        response.Usage.AdditionalCounts![InteropKeys.CacheWriteInputTokens].Should().Be(1);
        response.AdditionalProperties![InteropKeys.ProviderRequestId].Should().Be("req-1");
        response.RawRepresentation.Should().BeOfType<ChatResponse>();
    }

    [Fact]
    public async Task Options_and_messages_reach_the_handler_with_every_shared_field()
    {
        var handler = new ScriptedHandler(Turn.Say("ok"));
        using var client = handler.AsChatClient();
        var options = OptionsSamples.MeaiOptions();
        options.Instructions = "Answer in French.";

        await client.GetResponseAsync(OptionsSamples.MeaiConversation(), options, Token);

        var request = handler.Requests.Single();
        var sent = request.Options!;
        sent.ModelId.Should().Be("fake-model");
        sent.Temperature.Should().Be(0.7, "a float goes through its shortest text, not its binary widening");
        sent.TopP.Should().Be(0.9);
        sent.TopK.Should().Be(40);
        sent.MaxOutputTokens.Should().Be(256);
        sent.StopSequences.Should().Equal("END");
        sent.Seed.Should().Be(42);
        sent.FrequencyPenalty.Should().Be(0.5);
        sent.PresencePenalty.Should().Be(-0.25);
        sent.Tools!.Single().Name.Should().Be("get_weather");
        sent.Tools!.Single().Description.Should().Be("Weather by city");
        sent.Tools!.Single().ParametersSchema!.Value.GetProperty("properties").GetProperty("city").GetProperty("type").GetString().Should().Be("string");
        sent.ToolChoice.Should().Be(ToolChoice.Required);
        sent.ResponseFormat!.Kind.Should().Be(ResponseFormatKind.JsonSchema);
        sent.ResponseFormat.SchemaName.Should().Be("weather");
        sent.ReasoningLevel.Should().Be("low");
        sent.ConversationId.Should().Be("conv-2");
        sent.AdditionalProperties!["user"].Should().Be("u-2");
        sent.AdditionalProperties[InteropKeys.ParallelToolCalls].Should().Be(true);

        request.Messages.ShouldMatch(
        [
            ChatMessage.System("Answer in French."),
            ChatMessage.System("Be brief."),
            ChatMessage.User("Weather in Paris?"),
            new ChatMessage(ChatRole.Assistant, [new TextPart("Checking."), new ToolCallPart("call_1", "get_weather", """{"city":"Paris"}""")]),
            ChatMessage.ToolResult("call_1", "21C"),
        ]);
    }

    [Fact]
    public void Metadata_and_the_handler_are_services()
    {
        var handler = new ScriptedHandler();
        using var client = handler.AsChatClient();

        var metadata = client.GetService<ChatClientMetadata>()!;

        metadata.ProviderName.Should().Be("openai");
        metadata.ProviderUri!.Host.Should().Be("127.0.0.1");
        metadata.ProviderUri.Port.Should().Be(8089);
        metadata.DefaultModelId.Should().Be("gpt-test");
        client.GetService<IGenerationHandler>().Should().BeSameAs(handler);
        client.GetService<IGenerationHandler>("key").Should().BeNull();
        client.GetService<GenerationHandlerChatClient>().Should().BeSameAs(client);
    }

    [Fact]
    public async Task A_stream_carries_text_as_it_comes_and_whole_function_calls_usage_and_finish_at_the_end()
    {
        var handler = new ScriptedHandler(new Turn("Checking the weather", [new ToolCallPart("c1", "get_weather", """{"city":"Paris"}""")], Reasoning: "hmm"));
        using var client = handler.AsChatClient();

        var updates = new List<Meai.ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Weather?", cancellationToken: Token))
        {
            updates.Add(update);
        }

        updates.Take(4).Select(u => u.Text).Should().Equal("", "Checking", " the", " weather");
        updates[0].Contents.OfType<TextReasoningContent>().Single().Text.Should().Be("hmm");
        var response = updates.ToChatResponse();
        response.Text.Should().Be("Checking the weather");
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Should().ContainSingle().Subject;
        (call.CallId, call.Name, ((JsonElement)call.Arguments!["city"]!).GetString()).Should().Be(("c1", "get_weather", "Paris"));
        response.FinishReason.Should().Be(ChatFinishReason.ToolCalls);
        response.Usage!.InputTokenCount.Should().Be(10);
        response.Usage.CachedInputTokenCount.Should().Be(2);
        response.ResponseId.Should().Be("resp-20");
        response.ModelId.Should().Be("gpt-test-2026");
    }

    [Fact]
    public async Task Content_Mellea_cannot_carry_is_refused_with_a_clear_error()
    {
        using var client = new ScriptedHandler(Turn.Say("x")).AsChatClient();
        var image = new Meai.ChatMessage(Meai.ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png")]);

        var act = async () => await client.GetResponseAsync([image], cancellationToken: Token);

        await act.Should().ThrowAsync<NotSupportedException>().WithMessage("*DataContent*");
    }
}
