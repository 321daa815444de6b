using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Every option lands on its wire field, and an unset option is absent from the JSON the emulator receives.</summary>
public sealed class RequestMappingTests
{
    private static readonly JsonElement WeatherSchema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement;

    [Fact]
    public async Task Every_chat_option_lands_on_its_wire_field()
    {
        var options = new GenerationOptions
        {
            ModelId = "gpt-4o",
            Temperature = 0.3,
            TopP = 0.9,
            TopK = 40,
            MaxOutputTokens = 77,
            StopSequences = ["END", "STOP"],
            Seed = 1234,
            FrequencyPenalty = 0.5,
            PresencePenalty = -0.25,
            ChoiceCount = 2,
            Tools = [new ToolDefinition("get_weather", "Weather for a city", WeatherSchema)],
            ToolChoice = ToolChoice.Specific("get_weather"),
            ResponseFormat = ResponseFormat.ForJsonSchema("answer", JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""").RootElement),
            ReasoningLevel = "high",
            ContextWindowTokens = 8192,
            ConversationId = "conv-1",
            AdditionalProperties = new Dictionary<string, object?> { ["user"] = "u-42", ["logprobs"] = true, ["temperature"] = 1.9 },
        };

        var sent = await SendChatAsync(new ChatRequest("hi", options));

        sent.GetProperty("model").GetString().Should().Be("gpt-4o");
        sent.GetProperty("temperature").GetDouble().Should().Be(0.3, "the typed option wins over an extra of the same name");
        sent.GetProperty("top_p").GetDouble().Should().Be(0.9);
        sent.GetProperty("max_completion_tokens").GetInt32().Should().Be(77);
        sent.GetProperty("stop").EnumerateArray().Select(e => e.GetString()).Should().Equal("END", "STOP");
        sent.GetProperty("seed").GetInt64().Should().Be(1234);
        sent.GetProperty("frequency_penalty").GetDouble().Should().Be(0.5);
        sent.GetProperty("presence_penalty").GetDouble().Should().Be(-0.25);
        sent.GetProperty("n").GetInt32().Should().Be(2);
        var tool = sent.GetProperty("tools")[0];
        tool.GetProperty("type").GetString().Should().Be("function");
        tool.GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        tool.GetProperty("function").GetProperty("description").GetString().Should().Be("Weather for a city");
        tool.GetProperty("function").GetProperty("parameters").GetProperty("required")[0].GetString().Should().Be("city");
        sent.GetProperty("tool_choice").GetProperty("type").GetString().Should().Be("function");
        sent.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        var format = sent.GetProperty("response_format");
        format.GetProperty("type").GetString().Should().Be("json_schema");
        format.GetProperty("json_schema").GetProperty("name").GetString().Should().Be("answer");
        format.GetProperty("json_schema").GetProperty("strict").GetBoolean().Should().BeTrue();
        format.GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString().Should().Be("object");
        sent.GetProperty("reasoning_effort").GetString().Should().Be("high");
        sent.GetProperty("user").GetString().Should().Be("u-42");
        sent.GetProperty("logprobs").GetBoolean().Should().BeTrue();
        sent.TryGetProperty("top_k", out _).Should().BeFalse("OpenAI rejects top_k");
        sent.TryGetProperty("max_tokens", out _).Should().BeFalse("chat uses max_completion_tokens");
        sent.TryGetProperty("stream", out _).Should().BeFalse();
        sent.TryGetProperty("num_ctx", out _).Should().BeFalse();
        sent.EnumerateObject().Count(p => p.Name == "temperature").Should().Be(1);
    }

    [Fact]
    public async Task Unset_options_are_absent_from_the_json()
    {
        var sent = await SendChatAsync(new ChatRequest("hi"));

        sent.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["model", "messages"]);
        sent.GetProperty("messages")[0].EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["role", "content"]);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("none")]
    [InlineData("required")]
    public async Task Tool_choice_modes_are_strings(string mode)
    {
        var choice = mode switch { "auto" => ToolChoice.Auto, "none" => ToolChoice.None, _ => ToolChoice.Required };

        var sent = await SendChatAsync(new ChatRequest("hi", new() { Tools = [new ToolDefinition("t")], ToolChoice = choice }));

        sent.GetProperty("tool_choice").GetString().Should().Be(mode);
        sent.GetProperty("tools")[0].GetProperty("function").TryGetProperty("parameters", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(ResponseFormatKind.Json, "json_object")]
    [InlineData(ResponseFormatKind.Text, "text")]
    public async Task Response_format_kinds(ResponseFormatKind kind, string wire)
    {
        var sent = await SendChatAsync(new ChatRequest("hi", new() { ResponseFormat = kind == ResponseFormatKind.Json ? ResponseFormat.Json : ResponseFormat.Text }));

        sent.GetProperty("response_format").GetProperty("type").GetString().Should().Be(wire);
        sent.GetProperty("response_format").TryGetProperty("json_schema", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Streams_ask_for_usage()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();

        await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        var sent = emulator.LastRequest;
        sent.JsonProperty("stream")!.Value.GetBoolean().Should().BeTrue();
        sent.JsonProperty("stream_options")!.Value.GetProperty("include_usage").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Conversation_with_tool_calls_and_results_maps_to_openai_messages()
    {
        var messages = new[]
        {
            ChatMessage.System("be brief"),
            ChatMessage.User("weather in Paris?"),
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("call_1", "get_weather", "{\"city\":\"Paris\"}")]),
            ChatMessage.ToolResult("call_1", "{\"temp\":21}"),
        };

        var sent = await SendChatAsync(new ChatRequest(messages));

        var wire = sent.GetProperty("messages").EnumerateArray().ToList();
        wire.Select(m => m.GetProperty("role").GetString()).Should().Equal("system", "user", "assistant", "tool");
        wire[2].TryGetProperty("content", out _).Should().BeFalse("an assistant turn with only tool calls has no content");
        var call = wire[2].GetProperty("tool_calls")[0];
        call.GetProperty("id").GetString().Should().Be("call_1");
        call.GetProperty("type").GetString().Should().Be("function");
        call.GetProperty("function").GetProperty("arguments").GetString().Should().Be("{\"city\":\"Paris\"}");
        wire[3].GetProperty("tool_call_id").GetString().Should().Be("call_1");
        wire[3].GetProperty("content").GetString().Should().Be("{\"temp\":21}");
    }

    [Fact]
    public async Task Raw_batch_is_one_call_with_a_prompt_array_and_max_tokens()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices("A0", "A1", "B0", "B1", "C0", "C1").With(s => s.ReverseChoiceOrder = true).WithUsage(9, 12));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client, model: "gpt-3.5-turbo-instruct");

        var response = await backend.CompleteRawAsync(
            new RawCompletionRequest(["a", "b", "c"], new() { MaxOutputTokens = 5, ChoiceCount = 2, Temperature = 0, StopSequences = ["\n"], Seed = 7 }),
            TestContext.Current.CancellationToken);

        emulator.Requests.Should().ContainSingle("a batch is one HTTP call");
        var sent = emulator.LastRequest;
        sent.Path.Should().Be("/v1/completions");
        sent.JsonProperty("prompt")!.Value.EnumerateArray().Select(p => p.GetString()).Should().Equal("a", "b", "c");
        sent.JsonProperty("max_tokens")!.Value.GetInt32().Should().Be(5);
        sent.JsonProperty("n")!.Value.GetInt32().Should().Be(2);
        sent.JsonProperty("seed")!.Value.GetInt64().Should().Be(7);
        sent.HasJsonProperty("max_completion_tokens").Should().BeFalse();
        sent.HasJsonProperty("messages").Should().BeFalse();
        response.Completions.Select(c => c.PromptIndex).Should().Equal(0, 0, 1, 1, 2, 2);
        response.Completions.Select(c => c.Text).Should().Equal("A0", "A1", "B0", "B1", "C0", "C1");
        response.Metadata.Usage!.TotalTokens.Should().Be(21);
        response.Metadata.FinishReasons.Should().HaveCount(6);
    }

    [Fact]
    public async Task Sends_bearer_key_organization_and_project_headers_to_the_chat_route()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();
        var backend = new OpenAIBackend(client, new() { Model = "m", Organization = "org-1" }, TestBackends.Environment(
            ("OPENAI_API_KEY", TestBackends.ApiKey), ("OPENAI_BASE_URL", emulator.OpenAIBaseUrl), ("OPENAI_PROJECT_ID", "proj-9")));

        await backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);

        var sent = emulator.LastRequest;
        sent.Path.Should().Be("/v1/chat/completions");
        sent.Header("Authorization").Should().Be("Bearer " + TestBackends.ApiKey);
        sent.Header("OpenAI-Organization").Should().Be("org-1");
        sent.Header("OpenAI-Project").Should().Be("proj-9");
        sent.Header("Content-Type").Should().StartWith("application/json");
        sent.Header("Content-Length").Should().NotBeNull("the body is sent with a known length");
    }

    private static async Task<JsonElement> SendChatAsync(ChatRequest request)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();

        await TestBackends.OpenAI(emulator, client).ChatAsync(request, TestContext.Current.CancellationToken);

        return emulator.LastRequest.Json!.Value;
    }
}
