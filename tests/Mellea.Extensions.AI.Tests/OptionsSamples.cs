using System.Text.Json;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>Requests that set every field both models have, and the checks that they arrived whole.</summary>
internal static class OptionsSamples
{
    public static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement.Clone();

    public static GenerationOptions MelleaOptions(string reasoning = "high") => new()
    {
        ModelId = "gpt-test",
        Temperature = 0.7,
        TopP = 0.9,
        TopK = 40,
        MaxOutputTokens = 256,
        StopSequences = ["END"],
        Seed = 42,
        FrequencyPenalty = 0.5,
        PresencePenalty = -0.25,
        ChoiceCount = 1,
        ContextWindowTokens = 8192,
        Tools = [new ToolDefinition("get_weather", "Weather by city", Schema)],
        ToolChoice = ToolChoice.Specific("get_weather"),
        ResponseFormat = ResponseFormat.ForJsonSchema("weather", Schema, strict: false),
        ReasoningLevel = reasoning,
        ConversationId = "conv-1",
        AdditionalProperties = new Dictionary<string, object?> { ["user"] = "u-1", [InteropKeys.ParallelToolCalls] = false },
        TelemetryTags = new Dictionary<string, string> { ["tenant"] = "acme" },
    };

    public static List<ChatMessage> MelleaConversation() =>
    [
        ChatMessage.System("Be brief."),
        ChatMessage.User("Weather in Paris?"),
        new ChatMessage(ChatRole.Assistant, [new TextPart("Checking."), new ToolCallPart("call_1", "get_weather", """{"city":"Paris"}""")]),
        ChatMessage.ToolResult("call_1", """{"error":"offline"}""", isError: true),
    ];

    public static void ShouldMatch(this GenerationOptions actual, GenerationOptions expected)
    {
        actual.ModelId.Should().Be(expected.ModelId);
        actual.Temperature.Should().Be(expected.Temperature);
        actual.TopP.Should().Be(expected.TopP);
        actual.TopK.Should().Be(expected.TopK);
        actual.MaxOutputTokens.Should().Be(expected.MaxOutputTokens);
        actual.StopSequences.Should().Equal(expected.StopSequences);
        actual.Seed.Should().Be(expected.Seed);
        actual.FrequencyPenalty.Should().Be(expected.FrequencyPenalty);
        actual.PresencePenalty.Should().Be(expected.PresencePenalty);
        actual.ChoiceCount.Should().Be(expected.ChoiceCount);
        actual.ContextWindowTokens.Should().Be(expected.ContextWindowTokens);
        actual.Tools!.Select(t => (t.Name, t.Description, t.ParametersSchema?.GetRawText()))
            .Should().Equal(expected.Tools!.Select(t => (t.Name, t.Description, t.ParametersSchema?.GetRawText())));
        actual.ToolChoice.Should().Be(expected.ToolChoice);
        actual.ResponseFormat!.Kind.Should().Be(expected.ResponseFormat!.Kind);
        actual.ResponseFormat.SchemaName.Should().Be(expected.ResponseFormat.SchemaName);
        actual.ResponseFormat.Strict.Should().Be(expected.ResponseFormat.Strict);
        actual.ResponseFormat.Schema!.Value.GetRawText().Should().Be(expected.ResponseFormat.Schema!.Value.GetRawText());
        actual.ReasoningLevel.Should().Be(expected.ReasoningLevel);
        actual.ConversationId.Should().Be(expected.ConversationId);
        actual.AdditionalProperties.Should().BeEquivalentTo(expected.AdditionalProperties);
        actual.TelemetryTags.Should().BeEquivalentTo(expected.TelemetryTags);
    }

    public static void ShouldMatch(this IReadOnlyList<ChatMessage> actual, IReadOnlyList<ChatMessage> expected)
    {
        actual.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            actual[i].Role.Should().Be(expected[i].Role);
            actual[i].Parts.Select(Describe).Should().Equal(expected[i].Parts.Select(Describe));
        }

        static string Describe(MessagePart part) => part switch
        {
            TextPart t => "text:" + t.Text,
            ToolCallPart c => $"call:{c.CallId}:{c.Name}:{c.ArgumentsJson}",
            ToolResultPart r => $"result:{r.CallId}:{r.Result}:{r.IsError}",
            _ => "?",
        };
    }

    public static ChatOptions MeaiOptions() => new()
    {
        ModelId = "fake-model",
        Temperature = 0.7f,
        TopP = 0.9f,
        TopK = 40,
        MaxOutputTokens = 256,
        StopSequences = ["END"],
        Seed = 42,
        FrequencyPenalty = 0.5f,
        PresencePenalty = -0.25f,
        Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "Weather by city")],
        ToolMode = ChatToolMode.RequireAny,
        ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "weather"),
        Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        ConversationId = "conv-2",
        AllowMultipleToolCalls = true,
        AdditionalProperties = new AdditionalPropertiesDictionary { ["user"] = "u-2" },
    };

    public static void ShouldMatch(this ChatOptions actual, ChatOptions expected)
    {
        actual.ModelId.Should().Be(expected.ModelId);
        actual.Temperature.Should().Be(expected.Temperature);
        actual.TopP.Should().Be(expected.TopP);
        actual.TopK.Should().Be(expected.TopK);
        actual.MaxOutputTokens.Should().Be(expected.MaxOutputTokens);
        actual.StopSequences.Should().Equal(expected.StopSequences);
        actual.Seed.Should().Be(expected.Seed);
        actual.FrequencyPenalty.Should().Be(expected.FrequencyPenalty);
        actual.PresencePenalty.Should().Be(expected.PresencePenalty);
        actual.Tools!.Cast<AIFunctionDeclaration>().Select(t => (t.Name, t.Description, t.JsonSchema.GetRawText()))
            .Should().Equal(expected.Tools!.Cast<AIFunctionDeclaration>().Select(t => (t.Name, t.Description, t.JsonSchema.GetRawText())));
        actual.ToolMode.Should().Be(expected.ToolMode);
        var format = actual.ResponseFormat.Should().BeOfType<ChatResponseFormatJson>().Subject;
        var expectedFormat = (ChatResponseFormatJson)expected.ResponseFormat!;
        format.SchemaName.Should().Be(expectedFormat.SchemaName);
        format.Schema!.Value.GetRawText().Should().Be(expectedFormat.Schema!.Value.GetRawText());
        actual.Reasoning!.Effort.Should().Be(expected.Reasoning!.Effort);
        actual.ConversationId.Should().Be(expected.ConversationId);
        actual.AllowMultipleToolCalls.Should().Be(expected.AllowMultipleToolCalls);
        actual.AdditionalProperties!["user"].Should().Be(expected.AdditionalProperties!["user"]);
    }

    public static List<Meai.ChatMessage> MeaiConversation() =>
    [
        new(Meai.ChatRole.System, "Be brief."),
        new(Meai.ChatRole.User, "Weather in Paris?"),
        new(Meai.ChatRole.Assistant, [new TextContent("Checking."), new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(Meai.ChatRole.Tool, [new FunctionResultContent("call_1", "21C")]),
    ];
}
