using System.Diagnostics;
using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Tracing.Tests;

public sealed class ContentCaptureTests
{
    private const string PromptMarker = "PROMPT-MARKER-7f3a";
    private const string AnswerMarker = "ANSWER-MARKER-91bc";

    private static IEnumerable<string> EverythingRecorded(ActivityCollector collector) =>
        collector.Stopped.SelectMany(a =>
            a.TagObjects.Select(t => $"{t.Key}={Render(t.Value)}")
                .Concat(a.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={Render(t.Value)}")))
                .Append(a.DisplayName)
                .Append(a.StatusDescription ?? string.Empty));

    private static string Render(object? value) => value is string[] array ? string.Join(",", array) : value?.ToString() ?? string.Empty;

    private static async Task RunAll(GenerationPipeline pipeline)
    {
        var messages = new[] { ChatMessage.System($"system {PromptMarker}"), ChatMessage.User($"user {PromptMarker}") };
        var options = new GenerationOptions { Tools = [new ToolDefinition("lookup", $"tool {PromptMarker}")] };
        await pipeline.ChatAsync(new ChatRequest(messages, options));
        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest(messages, options)));
        await pipeline.CompleteRawAsync(new RawCompletionRequest([$"raw {PromptMarker}"]));
    }

    [Fact]
    public async Task Content_is_never_captured_by_default()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = $"answer {AnswerMarker}" }.AsBuilder()
            .UseTracing(o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>()))
            .Build();

        await RunAll(pipeline);

        collector.GenerationSpans.Should().HaveCount(3);
        EverythingRecorded(collector).Should().NotContain(s => s.Contains(PromptMarker) || s.Contains(AnswerMarker));
        collector.GenerationSpans.Should().OnlyContain(s => s.GetTagItem(GenAiAttributes.InputMessages) == null && s.GetTagItem(GenAiAttributes.OutputMessages) == null);
    }

    [Theory]
    [InlineData("MELLEA_TRACES_CONTENT", "true")]
    [InlineData("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "TRUE")]
    [InlineData("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "span_only")]
    [InlineData("MELLEA_TRACES_CONTENT", " 1 ")]
    public void Either_environment_variable_turns_capture_on(string variable, string value)
    {
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?> { [variable] = value });

        new TracingMiddleware(new TracingOptions { Environment = environment }).CaptureContent.Should().BeTrue();
        new TracingMiddleware(new TracingOptions { Environment = environment, CaptureContent = false }).CaptureContent.Should().BeFalse("the option wins");
        new TracingMiddleware(new TracingOptions { Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?> { [variable] = "no" }) })
            .CaptureContent.Should().BeFalse();
    }

    [Fact]
    public async Task With_capture_on_every_content_attribute_is_exactly_the_semconv_json()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = "the answer" }.AsBuilder().UseTracing(o => o.CaptureContent = true).Build();
        var messages = new[] { ChatMessage.System("be brief"), ChatMessage.User("a question") };
        var options = new GenerationOptions { Tools = [new ToolDefinition("lookup", "Looks things up")] };

        await pipeline.ChatAsync(new ChatRequest(messages, options));
        await pipeline.CompleteRawAsync(new RawCompletionRequest(["first", "second"]));

        var chat = collector.GenerationSpans[0];
        JsonOf(chat, GenAiAttributes.SystemInstructions).Should().Be("""[{"type":"text","content":"be brief"}]""");
        JsonOf(chat, GenAiAttributes.InputMessages).Should().Be("""[{"role":"user","parts":[{"type":"text","content":"a question"}]}]""");
        JsonOf(chat, GenAiAttributes.OutputMessages).Should()
            .Be("""[{"role":"assistant","parts":[{"type":"text","content":"the answer"}],"finish_reason":"stop"}]""");
        JsonOf(chat, GenAiAttributes.ToolDefinitions).Should().Be("""[{"type":"function","name":"lookup","description":"Looks things up"}]""");

        var raw = collector.GenerationSpans[1];
        JsonOf(raw, GenAiAttributes.InputMessages).Should().Be(
            """[{"role":"user","parts":[{"type":"text","content":"first"}]},{"role":"user","parts":[{"type":"text","content":"second"}]}]""");
        JsonOf(raw, GenAiAttributes.OutputMessages).Should().Be(
            """[{"role":"assistant","parts":[{"type":"text","content":"done 0"}],"finish_reason":"length"},"""
            + """{"role":"assistant","parts":[{"type":"text","content":"done 1"}],"finish_reason":"length"}]""");
    }

    [Fact]
    public async Task A_captured_stream_is_assembled_per_choice_with_its_reasoning_split_tool_calls_and_last_finish_reason()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        ChatResponseUpdate[] updates =
        [
            // Choice 1 speaks first, so the output must be ordered by choice index, not by arrival.
            new() { ChoiceIndex = 1, TextDelta = "B" },
            new() { ChoiceIndex = 0, ReasoningDelta = "think " },
            new() { ChoiceIndex = 0, ReasoningDelta = "more" },
            new() { ChoiceIndex = 0, ToolCallDeltas = [new ToolCallUpdate { Index = 1, CallId = "c2", Name = "second", ArgumentsDelta = "{}" }] },
            new() { ChoiceIndex = 0, ToolCallDeltas = [new ToolCallUpdate { Index = 0, CallId = "c1", Name = "first", ArgumentsDelta = "{\"q\":" }] },
            new() { ChoiceIndex = 0, ToolCallDeltas = [new ToolCallUpdate { Index = 0, ArgumentsDelta = "1}" }] },
            new() { ChoiceIndex = 1, TextDelta = "b", FinishReason = FinishReason.Normalize("length") },
            new() { ChoiceIndex = 0, FinishReason = FinishReason.Normalize("tool_calls") },
            new() { ChoiceIndex = 0, Metadata = CannedHandler.Metadata(streamed: true) },
        ];
        var pipeline = new CannedHandler().AsBuilder()
            .UseTracing(o => o.CaptureContent = true)
            .Use(async (context, _) =>
            {
                foreach (var update in updates)
                {
                    await context.Updates.WriteAsync(update);
                }
            })
            .Build();

        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest("go")));

        JsonOf(collector.GenerationSpans.Single(), GenAiAttributes.OutputMessages).Should().Be(
            // Choice 0 has no text: no empty text part.
            """[{"role":"assistant","parts":[{"type":"reasoning","content":"think more"},"""
            + """{"type":"tool_call","id":"c1","name":"first","arguments":{"q":1}},{"type":"tool_call","id":"c2","name":"second","arguments":{}}],"""
            + "\"finish_reason\":\"tool_call\"},"
            + """{"role":"assistant","parts":[{"type":"text","content":"Bb"}],"finish_reason":"length"}]""");
    }

    [Fact]
    public async Task A_tool_conversation_and_a_tool_schema_are_captured_exactly_in_the_semconv_shapes()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = "21 degrees" }.AsBuilder().UseTracing(o => o.CaptureContent = true).Build();
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");
        var messages = new[]
        {
            ChatMessage.User("weather in Paris?"),
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c1", "weather", """{"city":"Paris"}"""), new ToolCallPart("c2", "weather", "not json")]),
            ChatMessage.ToolResult("c1", "21 C"),
            ChatMessage.ToolResult("c2", "unknown"),
        };
        var options = new GenerationOptions { Tools = [new ToolDefinition("weather", "Gets the weather", schema.RootElement.Clone())] };

        await pipeline.ChatAsync(new ChatRequest(messages, options));

        var chat = collector.GenerationSpans.Single();
        JsonOf(chat, GenAiAttributes.InputMessages).Should().Be(
            """[{"role":"user","parts":[{"type":"text","content":"weather in Paris?"}]},"""
            // Arguments that parse are an object; arguments that do not stay a string.
            + """{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"weather","arguments":{"city":"Paris"}},"""
            + """{"type":"tool_call","id":"c2","name":"weather","arguments":"not json"}]},"""
            + """{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"21 C"}]},"""
            + """{"role":"tool","parts":[{"type":"tool_call_response","id":"c2","response":"unknown"}]}]""");
        JsonOf(chat, GenAiAttributes.ToolDefinitions).Should().Be(
            """[{"type":"function","name":"weather","description":"Gets the weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""");
    }

    [Fact]
    public async Task One_size_cap_is_shared_by_every_text_and_argument_of_an_attribute_and_an_exact_fit_is_kept_whole()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing(o =>
        {
            o.CaptureContent = true;
            o.MaxContentLength = 12;
        }).Build();
        var messages = new[]
        {
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("c", "t", """{"a":1}""")]),
            ChatMessage.ToolResult("c", "12345"),
            ChatMessage.User("x"),
        };

        await pipeline.ChatAsync(new ChatRequest(messages));

        // 7 characters of arguments and 5 of text use the 12 exactly; what follows is only the cut mark.
        JsonOf(collector.GenerationSpans.Single(), GenAiAttributes.InputMessages).Should().Be(
            """[{"role":"assistant","parts":[{"type":"tool_call","id":"c","name":"t","arguments":{"a":1}}]},"""
            + """{"role":"tool","parts":[{"type":"tool_call_response","id":"c","response":"12345"}]},"""
            // (JsonOf re-serializes with the default encoder, which escapes the cut mark "…".)
            + """{"role":"user","parts":[{"type":"text","content":"\u2026"}]}]""");
    }

    [Fact]
    public async Task A_redaction_callback_that_throws_or_returns_null_never_lets_the_text_through_and_never_fails_the_call()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = "fine" }.AsBuilder().UseTracing(o =>
        {
            o.CaptureContent = true;
            o.RedactContent = text => text.Contains("boom", StringComparison.Ordinal) ? throw new InvalidOperationException("redactor bug")
                : text.Contains("drop", StringComparison.Ordinal) ? null!
                : text;
        }).Build();

        var response = await pipeline.ChatAsync(new ChatRequest([ChatMessage.User("boom SECRET-ONE"), ChatMessage.User("drop SECRET-TWO")]));

        response.Text.Should().Be("fine");
        JsonOf(collector.GenerationSpans.Single(), GenAiAttributes.InputMessages).Should().Be(
            """[{"role":"user","parts":[{"type":"text","content":"[redaction failed]"}]},{"role":"user","parts":[{"type":"text","content":""}]}]""");
        EverythingRecorded(collector).Should().NotContain(s => s.Contains("SECRET-ONE") || s.Contains("SECRET-TWO") || s.Contains("redactor bug"));
    }

    // Re-serialized without indentation, so that the comparison is of content and order, not of whitespace.
    private static string JsonOf(Activity span, string attribute)
    {
        using var document = JsonDocument.Parse((string)span.GetTagItem(attribute)!);
        return JsonSerializer.Serialize(document.RootElement);
    }

    [Fact]
    public async Task With_capture_on_the_content_attributes_are_valid_json_in_the_semconv_shapes()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = $"answer {AnswerMarker}" }.AsBuilder().UseTracing(o => o.CaptureContent = true).Build();

        await RunAll(pipeline);

        var chat = collector.GenerationSpans[0];
        using var system = JsonDocument.Parse((string)chat.GetTagItem(GenAiAttributes.SystemInstructions)!);
        system.RootElement[0].GetProperty("type").GetString().Should().Be("text");
        system.RootElement[0].GetProperty("content").GetString().Should().Be($"system {PromptMarker}");
        using var input = JsonDocument.Parse((string)chat.GetTagItem(GenAiAttributes.InputMessages)!);
        input.RootElement.GetArrayLength().Should().Be(1, "system messages go to gen_ai.system_instructions");
        input.RootElement[0].GetProperty("role").GetString().Should().Be("user");
        input.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().Be($"user {PromptMarker}");
        using var output = JsonDocument.Parse((string)chat.GetTagItem(GenAiAttributes.OutputMessages)!);
        output.RootElement[0].GetProperty("role").GetString().Should().Be("assistant");
        output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().Be($"answer {AnswerMarker}");
        output.RootElement[0].GetProperty("finish_reason").GetString().Should().Be("stop");
        using var tools = JsonDocument.Parse((string)chat.GetTagItem(GenAiAttributes.ToolDefinitions)!);
        tools.RootElement[0].GetProperty("type").GetString().Should().Be("function");
        tools.RootElement[0].GetProperty("name").GetString().Should().Be("lookup");

        var stream = collector.GenerationSpans[1];
        using var streamed = JsonDocument.Parse((string)stream.GetTagItem(GenAiAttributes.OutputMessages)!);
        streamed.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().Be($"answer {AnswerMarker}");

        var raw = collector.GenerationSpans[2];
        using var prompts = JsonDocument.Parse((string)raw.GetTagItem(GenAiAttributes.InputMessages)!);
        prompts.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().Be($"raw {PromptMarker}");
    }

    [Fact]
    public async Task The_size_cap_keeps_the_json_valid_and_redaction_edits_every_text()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler { Text = new string('y', 500) }.AsBuilder()
            .UseTracing(o =>
            {
                o.CaptureContent = true;
                o.MaxContentLength = 100;
                o.RedactContent = text => text.Replace("secret@example.test", "[email]", StringComparison.Ordinal);
            })
            .Build();

        await pipeline.ChatAsync(new ChatRequest([ChatMessage.User("mail secret@example.test"), ChatMessage.User(new string('x', 1000))]));

        var span = collector.GenerationSpans.Single();
        var inputJson = (string)span.GetTagItem(GenAiAttributes.InputMessages)!;
        using var input = JsonDocument.Parse(inputJson);
        input.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().Be("mail [email]");
        input.RootElement[1].GetProperty("parts")[0].GetProperty("content").GetString()!.Length.Should().BeLessThanOrEqualTo(101);
        inputJson.Should().NotContain("secret@example.test");
        using var output = JsonDocument.Parse((string)span.GetTagItem(GenAiAttributes.OutputMessages)!);
        output.RootElement[0].GetProperty("parts")[0].GetProperty("content").GetString().Should().EndWith("…").And.HaveLength(101);
    }

    [Fact]
    public async Task Streams_are_not_watched_at_all_without_capture_or_chunk_events()
    {
        GenerationUpdateSink? seen = null;
        GenerationUpdateSink? outer = null;
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder()
            .Use((context, next) =>
            {
                outer = context.Updates;
                return next(context);
            })
            .UseTracing(o => o.CaptureContent = false)
            .Use((context, next) =>
            {
                seen = context.Updates;
                return next(context);
            })
            .Build();

        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest("hi")));

        seen.Should().BeSameAs(outer, "tracing does not wrap the stream unless it needs the text or per-chunk events");
    }
}

public sealed class ContentCaptureEnvironmentPrecedenceTests
{
    [Theory]
    [InlineData(null, "true", true)]
    [InlineData("false", "true", false)]
    [InlineData("true", "false", true)]
    [InlineData(null, null, false)]
    public void The_new_variable_wins_over_its_deprecated_name(string? current, string? deprecated, bool expected)
    {
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>
        {
            ["MELLEA_TRACES_CONTENT"] = current,
            ["MELLEA_TRACE_CONTENT"] = deprecated,
        });

        environment.ContentCaptureRequested.Should().Be(expected);
    }
}
