using System.Text.Json;
using System.Text.Json.Nodes;
using Mellea.Backends.LiteLlm;
using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Every file of shared/fixtures/openai and shared/fixtures/litellm, served by the emulator and read through the real backend.</summary>
public sealed class FixtureTests
{
    private static readonly ChatRequest Hello = new("Hello, world!");

    /// <summary>Every fixture file and the test that covers it; a new fixture file fails this until a test reads it.</summary>
    private static readonly Dictionary<string, string> Covered = new(StringComparer.Ordinal)
    {
        ["openai/chat_completion.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/chat_completion.response.json"] = nameof(Plain_chat_completion),
        ["openai/chat_completion.response_headers.json"] = nameof(Plain_chat_completion),
        ["openai/chat_completion_function_call_legacy.response.json"] = nameof(Legacy_function_call_is_a_tool_call),
        ["openai/chat_completion_reasoning.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/chat_completion_reasoning.response.json"] = nameof(Reasoning_tokens),
        ["openai/chat_completion_tool_calls.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/chat_completion_tool_calls.response.json"] = nameof(Parallel_tool_calls_in_a_whole_response),
        ["openai/chat_stream_finish_length.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_include_usage.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/chat_stream_include_usage.response_headers.json"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_include_usage.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_n3_choices.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_parallel_tool_calls.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_plain.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/chat_stream_tool_call.sse"] = nameof(Streams_give_the_recorded_metadata),
        ["openai/completions_legacy.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/completions_legacy.response.json"] = nameof(Legacy_completion_through_raw_batch),
        ["openai/error_400_invalid_function_parameters.json"] = nameof(OpenAI_error_fixtures),
        ["openai/error_400_invalid_function_parameters.request.json"] = nameof(Request_fixtures_equal_the_wire_requests_the_backend_sends),
        ["openai/error_401_invalid_api_key.json"] = nameof(OpenAI_error_fixtures),
        ["openai/error_401_invalid_api_key.response_headers.json"] = nameof(OpenAI_error_fixtures),
        ["litellm/error_400_invalid_model_with_call_id.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_403_guardrail_blocked.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_403_ip_not_allowed.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_404_unknown_route.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_429_budget_exceeded.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_429_gateway_rate_limit.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_500_fallbacks_exhausted.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/error_500_internal_minimal.json"] = nameof(LiteLlm_error_fixtures),
        ["litellm/response_headers.logging_doc.txt"] = nameof(LiteLlm_recorded_headers_fill_cost_extras_and_request_id),
        ["litellm/stream_midstream_error.sse"] = nameof(LiteLlm_midstream_error_fixture),
    };

    [Fact]
    public void Every_fixture_file_is_read_by_a_test()
    {
        Fixtures.Directory("openai");
        var files = Fixtures.Names("openai").Select(n => "openai/" + n).Concat(Fixtures.Names("litellm").Select(n => "litellm/" + n)).ToList();

        files.Should().NotBeEmpty();
        files.Should().BeSubsetOf(Covered.Keys, "every fixture must be parsed by a test");
    }

    [Fact]
    public async Task Plain_chat_completion()
    {
        var (response, _) = await ChatAsync("chat_completion.response.json", Hello);

        var metadata = response.Metadata;
        metadata.ResponseId.Should().Be("chatcmpl-D8dUjRkJNE7oAraZr6I7Jy8l3f2eU");
        metadata.ResponseModel.Should().Be("gpt-4o-mini-2024-07-18");
        metadata.RequestModel.Should().Be("gpt-test");
        metadata.ProviderName.Should().Be("openai");
        metadata.Streamed.Should().BeFalse();
        metadata.ProviderRequestId.Should().Be("Sanitized", "the sibling response_headers recording carries X-Request-ID");
        metadata.ServerAddress.Should().Be("127.0.0.1");
        metadata.ServerPort.Should().BePositive();
        ShouldHaveUsage(metadata, 11, 9, 20, cached: 0, reasoning: 0);
        metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.Stop, "stop"));
        response.Text.Should().Be("Hello! How can I assist you today?");
    }

    [Fact]
    public async Task Reasoning_tokens()
    {
        var (response, _) = await ChatAsync("chat_completion_reasoning.response.json", Hello);

        response.Metadata.ResponseModel.Should().Be("o3-mini-2025-01-31");
        ShouldHaveUsage(response.Metadata, 34, 863, 897, cached: 0, reasoning: 128);
        response.Metadata.FinishReasons.Select(f => f.Value).Should().Equal("stop");
        response.Text.Should().StartWith("A review of popular media");
    }

    [Fact]
    public async Task Parallel_tool_calls_in_a_whole_response()
    {
        var (response, _) = await ChatAsync("chat_completion_tool_calls.response.json", Hello);

        response.Metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.ToolCall, "tool_calls"));
        var calls = response.ToolCalls.ToList();
        calls.Select(c => c.CallId).Should().Equal("call_SKQEHo7QVlJRoCtEzcrYZM9C", "call_CkjljlLr7IebPc4hnvetfiZ8");
        calls.Select(c => c.Name).Should().AllBe("get_weather_for_city");
        calls[1].ArgumentsJson.Should().Be("{\"city_name\": \"Karachi\"}");
        response.Text.Should().BeEmpty("content was null");
        ShouldHaveUsage(response.Metadata, 81, 52, 133, cached: 0, reasoning: 0);
    }

    [Fact]
    public async Task Legacy_function_call_is_a_tool_call()
    {
        var (response, _) = await ChatAsync("chat_completion_function_call_legacy.response.json", Hello);

        response.Metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.ToolCall, "function_call"));
        var call = response.ToolCalls.Single();
        call.Name.Should().Be("get_favorite_color_for_month");
        call.ArgumentsJson.Should().Be("{\"month_name\":\"February\"}");
        response.Metadata.ResponseId.Should().Be("chatcmpl-CGSWsVpKwCAOQwKD6cN2nQIMtPUrF");
    }

    [Fact]
    public async Task Legacy_completion_through_raw_batch()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.FromFixture(Fixtures.File("openai", "completions_legacy.response.json")));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        var response = await backend.CompleteRawAsync(new RawCompletionRequest(["Say this is a test"]), TestContext.Current.CancellationToken);

        response.Completions.Should().ContainSingle();
        response.Completions[0].Text.Should().Be("\n\nThis is indeed a test");
        response.Completions[0].FinishReason.Should().Be(new FinishReason(FinishReasonKind.Length, "length"));
        response.Metadata.ResponseId.Should().Be("cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7");
        response.Metadata.ResponseModel.Should().Be("VAR_completion_model_id");
        ShouldHaveUsage(response.Metadata, 5, 7, 12, cached: null, reasoning: null);
        emulator.LastRequest.Path.Should().Be("/v1/completions");
    }

    public static TheoryData<string, string, string, int, string?, int> StreamCases => new()
    {
        // file, id, model, choices, finish (all choices), prompt/completion/total packed below
        { "chat_stream_plain.sse", "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL", "gpt-4o-2024-08-06", 1, "stop", 14 },
        { "chat_stream_finish_length.sse", "chatcmpl-ABfw3Oqj8RD0z6aJiiX37oTjV2HFh", "gpt-4o-2024-08-06", 1, "length", 79 },
        { "chat_stream_tool_call.sse", "chatcmpl-ABfwERreu9s99xXsVuOWtIB2UOx62", "gpt-4o-2024-08-06", 1, "tool_call", 44 },
        { "chat_stream_parallel_tool_calls.sse", "chatcmpl-ABfwAwrNePHUgBBezonVC6MX3zd63", "gpt-4o-2024-08-06", 1, "tool_call", 149 },
        { "chat_stream_n3_choices.sse", "chatcmpl-ABfw2KKFuVXmEJgVwYfBvejMAdWtq", "gpt-4o-2024-08-06", 3, "stop", 79 },
        { "chat_stream_include_usage.sse", "chatcmpl-D8dUAJuyyWxWUFRdcu8FB6Vi6yfLu", "gpt-4o-mini-2024-07-18", 1, "stop", 22 },
    };

    [Theory]
    [MemberData(nameof(StreamCases))]
    public async Task Streams_give_the_recorded_metadata(string file, string id, string model, int choices, string? finish, int promptTokens)
    {
        var path = Fixtures.File("openai", file);
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.FromFixture(path));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        var updates = await TestBackends.CollectAsync(backend.StreamChatAsync(Hello, TestContext.Current.CancellationToken));

        var expected = RecordedFacts(path);
        var metadata = updates[^1].Metadata!;
        updates.Take(updates.Count - 1).Should().OnlyContain(u => u.Metadata == null, "only the final update carries metadata");
        metadata.Streamed.Should().BeTrue();
        metadata.ResponseId.Should().Be(id);
        metadata.ResponseModel.Should().Be(model);
        metadata.FinishReasons.Should().HaveCount(choices).And.OnlyContain(f => f.Value == finish);
        metadata.Usage!.InputTokens.Should().Be(promptTokens);
        metadata.Usage.OutputTokens.Should().Be(expected.CompletionTokens);
        metadata.Usage.TotalTokens.Should().Be(expected.TotalTokens);
        metadata.Usage.ReasoningOutputTokens.Should().Be(0);
        for (var choice = 0; choice < choices; choice++)
        {
            TestBackends.Text(updates, choice).Should().Be(expected.Texts[choice]);
            TestBackends.ToolCalls(updates, choice).Should().Equal(expected.ToolCalls[choice]);
        }

        if (file == "chat_stream_include_usage.sse")
        {
            metadata.ProviderRequestId.Should().Be("Sanitized");
            metadata.Usage.CacheReadInputTokens.Should().Be(0);
        }
    }

    [Theory]
    [MemberData(nameof(StreamCases))]
    public async Task Streams_end_with_the_same_metadata_as_their_non_streamed_twins(string file, string id, string model, int choices, string? finish, int promptTokens)
    {
        _ = (id, model, finish, promptTokens);
        var path = Fixtures.File("openai", file);
        await using var emulator = await ProviderEmulator.StartAsync();
        var streamScript = EmulatorScript.FromFixture(path);
        var twinScript = new EmulatorScript { RawBody = System.Text.Encoding.UTF8.GetBytes(NonStreamedTwin(path)) };
        foreach (var header in streamScript.Headers)
        {
            twinScript.Headers[header.Key] = header.Value;
        }

        emulator.Enqueue(streamScript, twinScript);
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        var updates = await TestBackends.CollectAsync(backend.StreamChatAsync(Hello, TestContext.Current.CancellationToken));
        var whole = await backend.ChatAsync(Hello, TestContext.Current.CancellationToken);

        var streamed = updates[^1].Metadata!;
        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed));
        streamed.Streamed.Should().BeTrue();
        whole.Metadata.Streamed.Should().BeFalse();
        whole.Choices.Should().HaveCount(choices);
        for (var choice = 0; choice < choices; choice++)
        {
            TestBackends.Text(updates, choice).Should().Be(whole.Choices[choice].Text);
            TestBackends.ToolCalls(updates, choice).Select(c => (c.Id, c.Name, c.Arguments))
                .Should().Equal(whole.Choices[choice].Message.ToolCalls.Select(c => ((string?)c.CallId, (string?)c.Name, c.ArgumentsJson)));
        }
    }

    [Fact]
    public async Task Request_fixtures_equal_the_wire_requests_the_backend_sends()
    {
        var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"city_name":{"type":"string","description":"the name of a city, e.g. Johannesburg or Ho Chi Minh City."}},"required":["city_name"]}
            """).RootElement;
        var cases = new (string File, Func<IGenerationHandler, Task> Call, Func<JsonNode, JsonNode> Adjust)[]
        {
            ("chat_completion.request.json", b => b.ChatAsync(new ChatRequest("Hello, world!", new() { ModelId = "gpt-4o-mini" })).AsTask(), n => n),
            ("chat_completion_reasoning.request.json", b => b.ChatAsync(new ChatRequest(
                "Using a comprehensive evaluation of popular media in the 1970s and 1980s, what were the most common sci-fi themes?",
                new() { ModelId = "o3-mini", ReasoningLevel = "low", MaxOutputTokens = 2148 })).AsTask(), n => n),
            ("chat_completion_tool_calls.request.json", b => b.ChatAsync(new ChatRequest(
                "Tell me what's the current weather in the following cities: Santiago and Karachi.",
                new() { ModelId = "gpt-4o-mini", Tools = [new ToolDefinition("get_weather_for_city", "gets the current weather for a given city", schema)] })).AsTask(), n => n),
            ("chat_stream_include_usage.request.json", b => TestBackends.CollectAsync(b.StreamChatAsync(new ChatRequest(
                "What are the best pizza toppings? Give me a breakdown on the reasons.", new() { ModelId = "gpt-4o-mini" }))), n => n),
            ("error_400_invalid_function_parameters.request.json", b => b.ChatAsync(new ChatRequest(
                [ChatMessage.System("Call applicable tools when the user asks a question. Prefer JSON output when possible."), ChatMessage.User("What's my favorite color on Tuesday?")],
                new() { ModelId = "gpt-4o-2024-08-06", Tools = [new ToolDefinition("get_favorite_color_for_day_of_week", "Given a weekday name like Tuesday, gets the favorite color of the user on that day.")] })).AsTask(),
                n =>
                {
                    // Mellea has no per-tool "strict" flag; everything else must match.
                    n["tools"]![0]!["function"]!.AsObject().Remove("strict");
                    return n;
                }),
            ("completions_legacy.request.json", b => b.CompleteRawAsync(new RawCompletionRequest(["Say this is a test"], new() { ModelId = "VAR_completion_model_id", MaxOutputTokens = 7, Temperature = 0 })).AsTask(),
                n =>
                {
                    // Raw completions always send the batch form: an array of prompts.
                    n["prompt"] = new JsonArray("Say this is a test");
                    return n;
                }),
        };

        foreach (var (file, call, adjust) in cases)
        {
            await using var emulator = await ProviderEmulator.StartAsync();
            emulator.DefaultScript = EmulatorScript.Text("ok");
            using var client = new HttpClient();
            var backend = TestBackends.OpenAI(emulator, client, model: null);

            await call(backend);

            var expected = adjust(JsonNode.Parse(await File.ReadAllTextAsync(Fixtures.File("openai", file), TestContext.Current.CancellationToken))!);
            var sent = JsonNode.Parse(emulator.LastRequest.BodyText)!;
            JsonNode.DeepEquals(sent, expected).Should().BeTrue($"{file}: sent {sent.ToJsonString()}");
        }
    }

    [Fact]
    public async Task OpenAI_error_fixtures()
    {
        var invalid = await ErrorAsync(new OpenAIWireFormat(), "openai", "error_400_invalid_function_parameters.json");
        invalid.Category.Should().Be(ErrorCategory.InvalidRequest);
        invalid.StatusCode.Should().Be(400);
        invalid.IsRetryable.Should().BeFalse();
        invalid.ProviderErrorCode.Should().Be("invalid_function_parameters");
        invalid.ProviderErrorType.Should().Be("invalid_request_error");
        invalid.Message.Should().Contain("tools[0].function.parameters").And.Contain("'additionalProperties' is required");

        var auth = await ErrorAsync(new OpenAIWireFormat(), "openai", "error_401_invalid_api_key.json");
        auth.Category.Should().Be(ErrorCategory.Auth);
        auth.StatusCode.Should().Be(401);
        auth.IsRetryable.Should().BeFalse();
        auth.ProviderErrorCode.Should().Be("invalid_api_key");
        auth.ProviderRequestId.Should().Be("Sanitized");
        auth.ProviderName.Should().Be("openai");
        auth.Message.Should().Contain("OPENAI_API_KEY");
    }

    [Fact]
    public async Task LiteLlm_error_fixtures()
    {
        var quiet = new LiteLlmWireFormat { CallId = null };
        var cases = new (string File, ErrorCategory Category, int Status, bool Retryable, string? Code, string? Type, string? RequestId, string MessagePart)[]
        {
            ("error_400_invalid_model_with_call_id.json", ErrorCategory.InvalidRequest, 400, false, "invalid_request_error", "invalid_request_error", "019b2c4d-e5f6-7890-abcd-ef1234567890", "Invalid model name"),
            ("error_403_guardrail_blocked.json", ErrorCategory.Auth, 403, false, null, null, null, "Blocked by Akto Guardrails"),
            ("error_403_ip_not_allowed.json", ErrorCategory.Auth, 403, false, "auth_error", "auth_error", null, "IP address not allowed"),
            ("error_404_unknown_route.json", ErrorCategory.InvalidRequest, 404, false, null, null, null, "Not Found"),
            ("error_429_budget_exceeded.json", ErrorCategory.RateLimit, 429, false, "budget_exceeded", "budget_exceeded", null, "Budget has been exceeded"),
            ("error_429_gateway_rate_limit.json", ErrorCategory.RateLimit, 429, true, "throttling_error", "throttling_error", null, "Rate limit exceeded"),
            ("error_500_fallbacks_exhausted.json", ErrorCategory.ServerError, 500, true, null, null, null, "No fallback model group found"),
            ("error_500_internal_minimal.json", ErrorCategory.ServerError, 500, true, "internal_server_error", "internal_server_error", null, "Internal server error"),
        };

        foreach (var c in cases)
        {
            var error = await ErrorAsync(quiet, "litellm", c.File);
            error.Category.Should().Be(c.Category, c.File);
            error.StatusCode.Should().Be(c.Status, c.File);
            error.IsRetryable.Should().Be(c.Retryable, c.File);
            error.ProviderErrorCode.Should().Be(c.Code, c.File);
            error.ProviderErrorType.Should().Be(c.Type, c.File);
            error.ProviderRequestId.Should().Be(c.RequestId, c.File);
            error.ProviderName.Should().Be("litellm");
            error.Message.Should().Contain(c.MessagePart, c.File);
            error.Message.Should().NotContain("None", "LiteLLM's \"None\" strings mean absent ({0})", c.File);
        }
    }

    [Fact]
    public async Task LiteLlm_recorded_headers_fill_cost_extras_and_request_id()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat { CallId = null, ModelId = null, ModelApiBase = null, ResponseCostUsd = null });
        emulator.Enqueue(EmulatorScript.Text("ok").WithHeadersFromFixture(Fixtures.File("litellm", "response_headers.logging_doc.txt")));
        using var client = new HttpClient();
        var backend = TestBackends.LiteLlm(emulator, client);

        var response = await backend.ChatAsync(Hello, TestContext.Current.CancellationToken);

        var metadata = response.Metadata;
        metadata.ProviderName.Should().Be("litellm");
        metadata.ReportedCostUsd.Should().Be(2.85e-05);
        metadata.ProviderRequestId.Should().Be("b980db26-9512-45cc-b1da-c511a363b83f");
        metadata.ProviderExtras.Should().Contain(LiteLlmResponseHeaders.ModelIdKey, "cb41bc03f4c33d310019bae8c5afdb1af0a8f97b36a234405a9807614988457c")
            .And.Contain(LiteLlmResponseHeaders.ModelApiBaseKey, "https://x-example-1234.openai.azure.com");
    }

    [Fact]
    public async Task LiteLlm_midstream_error_fixture()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.Enqueue(EmulatorScript.FromFixture(Fixtures.File("litellm", "stream_midstream_error.sse")));
        using var client = new HttpClient();
        var backend = TestBackends.LiteLlm(emulator, client);
        var received = new List<ChatResponseUpdate>();

        var read = async () =>
        {
            await foreach (var update in backend.StreamChatAsync(Hello, TestContext.Current.CancellationToken))
            {
                received.Add(update);
            }
        };

        var error = (await read.Should().ThrowAsync<GenerationException>()).Which;
        TestBackends.Text(received).Should().Be("Hello");
        error.Category.Should().Be(ErrorCategory.ServerError);
        error.StatusCode.Should().Be(500);
        error.IsRetryable.Should().BeTrue();
        error.Message.Should().Contain("APIConnectionError");
        error.ProviderRequestId.Should().Be("b980db26-9512-45cc-b1da-c511a363b83f");
    }

    internal static void ShouldHaveUsage(GenerationMetadata metadata, long input, long output, long total, long? cached, long? reasoning)
    {
        metadata.Usage.Should().NotBeNull();
        metadata.Usage!.InputTokens.Should().Be(input);
        metadata.Usage.OutputTokens.Should().Be(output);
        metadata.Usage.TotalTokens.Should().Be(total);
        metadata.Usage.CacheReadInputTokens.Should().Be(cached);
        metadata.Usage.ReasoningOutputTokens.Should().Be(reasoning);
    }

    private static async Task<(ChatResponse Response, ProviderEmulator Emulator)> ChatAsync(string file, ChatRequest request)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.FromFixture(Fixtures.File("openai", file)));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);
        return (await backend.ChatAsync(request, TestContext.Current.CancellationToken), emulator);
    }

    private static async Task<GenerationException> ErrorAsync(EmulatorWireFormat format, string provider, string file)
    {
        await using var emulator = await ProviderEmulator.StartAsync(format);
        emulator.Enqueue(EmulatorScript.FromFixture(Fixtures.File(provider, file)));
        using var client = new HttpClient();
        IGenerationHandler backend = provider == "openai" ? TestBackends.OpenAI(emulator, client) : TestBackends.LiteLlm(emulator, client);

        var call = () => backend.ChatAsync(Hello, TestContext.Current.CancellationToken).AsTask();

        return (await call.Should().ThrowAsync<GenerationException>()).Which;
    }

    /// <summary>What a recorded stream says, read independently of the backend with JsonDocument.</summary>
    private static (List<string> Texts, List<List<(string? Id, string? Name, string Arguments)>> ToolCalls, long CompletionTokens, long TotalTokens) RecordedFacts(string path)
    {
        var twin = JsonNode.Parse(NonStreamedTwin(path))!;
        var texts = new List<string>();
        var calls = new List<List<(string?, string?, string)>>();
        foreach (var choice in twin["choices"]!.AsArray())
        {
            texts.Add(choice!["message"]!["content"]?.GetValue<string>() ?? string.Empty);
            calls.Add([.. (choice["message"]!["tool_calls"]?.AsArray() ?? []).Select(c => ((string?)c!["id"]!.GetValue<string>(), (string?)c["function"]!["name"]!.GetValue<string>(), c["function"]!["arguments"]!.GetValue<string>()))]);
        }

        return (texts, calls, twin["usage"]!["completion_tokens"]!.GetValue<long>(), twin["usage"]!["total_tokens"]!.GetValue<long>());
    }

    /// <summary>
    /// Merges a recorded stream into the whole response the provider would have sent for it (as the OpenAI SDKs' accumulators do),
    /// with JsonNode rather than the backend's parser, so the twin test compares two independent readings.
    /// </summary>
    internal static string NonStreamedTwin(string ssePath)
    {
        string? id = null, model = null;
        JsonNode? usage = null;
        var choices = new SortedDictionary<int, (System.Text.StringBuilder Text, SortedDictionary<int, (string? Id, string? Name, System.Text.StringBuilder Args)> Calls, string? Finish)>();
        foreach (var line in File.ReadAllLines(ssePath))
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal) || line.Contains("[DONE]", StringComparison.Ordinal))
            {
                continue;
            }

            var chunk = JsonNode.Parse(line[5..])!;
            id ??= chunk["id"]?.GetValue<string>();
            model ??= chunk["model"]?.GetValue<string>();
            if (chunk["usage"] is JsonObject u)
            {
                usage = u.DeepClone();
            }

            foreach (var choice in chunk["choices"]!.AsArray())
            {
                var index = choice!["index"]!.GetValue<int>();
                if (!choices.TryGetValue(index, out var state))
                {
                    state = (new System.Text.StringBuilder(), new(), null);
                }

                var delta = choice["delta"];
                state.Text.Append(delta?["content"]?.GetValue<string>());
                foreach (var call in delta?["tool_calls"]?.AsArray() ?? [])
                {
                    var callIndex = call!["index"]!.GetValue<int>();
                    state.Calls.TryGetValue(callIndex, out var c);
                    c.Args ??= new System.Text.StringBuilder();
                    c.Id ??= call["id"]?.GetValue<string>();
                    c.Name ??= call["function"]?["name"]?.GetValue<string>();
                    c.Args.Append(call["function"]?["arguments"]?.GetValue<string>());
                    state.Calls[callIndex] = c;
                }

                state.Finish = choice["finish_reason"]?.GetValue<string>() ?? state.Finish;
                choices[index] = state;
            }
        }

        var whole = new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["model"] = model,
            ["choices"] = new JsonArray([.. choices.Select(c => (JsonNode)new JsonObject
            {
                ["index"] = c.Key,
                ["message"] = new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = c.Value.Calls.Count > 0 && c.Value.Text.Length == 0 ? null : c.Value.Text.ToString(),
                    ["tool_calls"] = c.Value.Calls.Count == 0 ? null : new JsonArray([.. c.Value.Calls.Values.Select(t => (JsonNode)new JsonObject
                    {
                        ["id"] = t.Id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = t.Name, ["arguments"] = t.Args.ToString() },
                    })]),
                },
                ["finish_reason"] = c.Value.Finish,
            })]),
            ["usage"] = usage,
        };
        return whole.ToJsonString();
    }
}
