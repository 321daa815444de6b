using System.Text.Json;
using Mellea.Backends.HuggingFace;
using Mellea.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

public sealed class HuggingFaceTests
{
    private const string Provider = "huggingface";
    private const string Token = "hf_MARKER_token_31337";

    private static readonly HashSet<string> FramingHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Date", "Server", "Alt-Svc", "Vary", "ETag",
    };

    private static HuggingFaceBackend Backend(ProviderEmulator emulator, HttpClient client, Action<HuggingFaceBackendOptions>? configure = null)
    {
        var options = new HuggingFaceBackendOptions { Model = "meta-llama/Llama-3.1-8B-Instruct" };
        configure?.Invoke(options);
        return new HuggingFaceBackend(client, options, Environment(("HF_TOKEN", Token), ("HF_BASE_URL", emulator.OpenAIBaseUrl)));
    }

    private static CancellationToken Cancel => TestSupport.Token;

    public static TheoryData<string> FixtureNames => Fixtures.Names(Provider);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public async Task Every_fixture_gives_the_right_metadata_over_loopback(string name)
    {
        var folder = Fixtures.Directory(Provider);

        // An exchange recording is checked with its body twin, under the recorded status and headers.
        var body = name.EndsWith(".exchange.json", StringComparison.Ordinal)
            ? System.IO.Directory.GetFiles(folder, name.Replace(".exchange.json", ".*", StringComparison.Ordinal)).Select(Path.GetFileName).Single(n => !n!.EndsWith(".exchange.json", StringComparison.Ordinal))!
            : name;
        var exchangeName = System.IO.Directory.GetFiles(folder, Path.GetFileNameWithoutExtension(body) + ".exchange.json").Select(Path.GetFileName).SingleOrDefault();
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        EmulatorScript script;
        if (body.EndsWith(".chunks.snapshot.json", StringComparison.Ordinal))
        {
            // A JSON array of parsed chunks, not SSE: sent as the SSE events TGI wrote them as.
            script = new EmulatorScript { RawContentType = "text/event-stream", RawFrames = [.. Fixtures.Json(Provider, body).EnumerateArray().Select(c => "data: " + JsonSerializer.Serialize(c) + "\n\n"), "data: [DONE]\n\n"] };
        }
        else
        {
            script = EmulatorScript.FromFixture(Path.Combine(folder, body));
        }

        string? requestId = null;
        if (exchangeName is not null)
        {
            var (status, headers) = Fixtures.Exchange(Provider, exchangeName);
            script.RawStatusCode = status;
            foreach (var header in headers.Where(h => !FramingHeaders.Contains(h.Key) && !h.Key.Equals("set-cookie", StringComparison.OrdinalIgnoreCase)))
            {
                script.WithHeader(header.Key, header.Value);
            }

            requestId = headers.FirstOrDefault(h => h.Key.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)).Value;
        }

        emulator.Enqueue(script);
        switch (body)
        {
            case "router_together_chat_completion.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("What is deep learning?"), Cancel);
                response.Text.Should().StartWith("Deep learning is a subfield of machine learning");
                AssertMetadata(response.Metadata, "9115d3daeab10608", "meta-llama/Meta-Llama-3-8B-Instruct-Turbo", new FinishReason(FinishReasonKind.Stop, "stop"), 26, 597, 623, requestId);
                break;
            }

            case "tgi_chat_completion.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("What is deep learning?"), Cancel);
                response.Text.Should().StartWith("Deep learning is a subfield of artificial intelligence");
                AssertMetadata(response.Metadata, null, "meta-llama/Llama-3.1-8B-Instruct", new FinishReason(FinishReasonKind.Stop, "stop"), 46, 579, 625, requestId);
                break;
            }

            case "tgi_1_4_chat_tool_call_legacy.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("weather?"), Cancel);
                var call = response.ToolCalls.Should().ContainSingle().Subject;
                call.Name.Should().Be("get_n_day_weather_forecast");
                call.CallId.Should().Be("0", "TGI 1.4 sent the id as the integer 0");
                var arguments = JsonDocument.Parse(call.ArgumentsJson).RootElement;
                arguments.GetProperty("num_days").GetInt32().Should().Be(3, "TGI 1.4 sent the arguments as an object");
                arguments.GetProperty("location").GetString().Should().Be("San Francisco, CA");
                AssertMetadata(response.Metadata, null, "hsramall/hsramall-70b-chat-placeholder", new FinishReason(FinishReasonKind.ToolCall, "eos_token"), 246, 27, 273, requestId);
                break;
            }

            case "tgi_chat_tool_call.snapshot.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("weather?"), Cancel);
                var call = response.ToolCalls.Should().ContainSingle().Subject;
                call.CallId.Should().Be("0");
                JsonDocument.Parse(call.ArgumentsJson).RootElement.GetProperty("location").GetString().Should().Be("Brooklyn, NY");
                AssertMetadata(response.Metadata, null, "meta-llama/Llama-3.1-8B-Instruct", new FinishReason(FinishReasonKind.ToolCall, "stop"), 501, 29, 530, requestId);
                break;
            }

            case "tgi_chat_stream.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("What is deep learning?"), Cancel));
                Text(updates).Should().HaveLength(104).And.EndWith("use of artificial neural networks (ANNs)", "every chunk repeats the role and still carries its content");
                AssertMetadata(Final(updates), null, "meta-llama/Llama-3.1-8B-Instruct", new FinishReason(FinishReasonKind.Length, "length"), null, null, null, requestId);
                break;
            }

            case "tgi_1_4_chat_stream_legacy.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("What is deep learning?"), Cancel));
                Text(updates).Should().HaveLength(115).And.EndWith(" neural networks with multiple layers to", "no [DONE]: the stream ends at end of file");
                AssertMetadata(Final(updates), null, "HuggingFaceH4/zephyr-7b-beta", new FinishReason(FinishReasonKind.Length, "length"), null, null, null, requestId);
                break;
            }

            case "router_fireworks_chat_stream.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("What is deep learning?"), Cancel));
                Text(updates).Should().Contain("machine learning that uses artificial neural");
                AssertMetadata(Final(updates), "495bd036-ee82-4009-b829-05738f002448", "accounts/fireworks/models/llama-v3p3-70b-instruct", new FinishReason(FinishReasonKind.Length, "length"), 46, 20, 66, requestId);
                break;
            }

            case "router_cerebras_chat_stream.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("What is deep learning?"), Cancel));
                Text(updates).Should().NotBeEmpty();
                AssertMetadata(Final(updates), "chatcmpl-deed8a97-8f08-4f41-bdba-d6b9015b1090", "llama-3.3-70b", new FinishReason(FinishReasonKind.Length, "length"), 46, 20, 66, requestId);
                break;
            }

            case "tgi_chat_stream_include_usage.chunks.snapshot.json":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("Say OK!"), Cancel));
                Text(updates).Should().Be("OK!");
                AssertMetadata(Final(updates), null, "meta-llama/Llama-3.1-8B-Instruct", new FinishReason(FinishReasonKind.Stop, "stop"), 39, 3, 42, requestId);
                break;
            }

            case "tgi_compat_generate_details.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["test"]), Cancel);
                response.Completions.Should().ContainSingle().Which.Text.Should().BeEmpty();
                AssertRaw(response, new FinishReason(FinishReasonKind.Length, "length"), 2, 1, requestId);
                break;
            }

            case "tgi_compat_generate_best_of.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["1 + 4 ="]), Cancel);
                response.Completions[0].Text.Should().Be("5");
                AssertRaw(response, new FinishReason(FinishReasonKind.Length, "length"), null, 1, requestId);
                break;
            }

            case "tgi_generate_details.snapshot.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["Test request"]), Cancel);
                response.Completions[0].Text.Should().Be(" for /api/v1/projects/1");
                AssertRaw(response, new FinishReason(FinishReasonKind.Length, "length"), null, 10, requestId);
                break;
            }

            case "tgi_generate_stream_details.sse":
            {
                // generate_stream framing (data: without a space, no [DONE]) read on the raw path: same finish and counts.
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["test"]), Cancel);
                response.Completions[0].Text.Should().BeEmpty("the last event's generated_text is authoritative");
                AssertRaw(response, new FinishReason(FinishReasonKind.Length, "length"), null, 1, requestId);
                break;
            }

            case "tgi_completions_batch_prompts.response.json":
            {
                var completions = Backend(emulator, client, o => o.UseCompletionsForRawBatch = true);
                var response = await completions.CompleteRawAsync(new RawCompletionRequest(["a", "b", "c", "d"]), Cancel);
                response.Completions.Select(c => c.PromptIndex).Should().Equal(0, 1, 2, 3);
                response.Completions[0].Text.Should().StartWith(" A Beginner");
                response.Completions[2].Text.Should().StartWith(" Paris");
                response.Metadata.FinishReasons.Should().HaveCount(4).And.OnlyContain(f => f.Kind == FinishReasonKind.Length);
                response.Metadata.Usage!.InputTokens.Should().Be(22);
                response.Metadata.Usage.OutputTokens.Should().Be(40);
                emulator.LastRequest.Path.Should().Be("/v1/completions");
                break;
            }

            case "router_error_401.json":
            {
                var act = async () => await backend.ChatAsync(new ChatRequest("x"), Cancel);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.Auth);
                error.StatusCode.Should().Be(401);
                error.IsRetryable.Should().BeFalse();
                error.Message.Should().Contain("Invalid username or password.").And.Contain("HF_TOKEN");
                error.ProviderRequestId.Should().Be(requestId);
                break;
            }

            case "tgi_error_422_validation.json":
            {
                var act = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.InvalidRequest);
                error.StatusCode.Should().Be(422);
                error.ProviderErrorType.Should().Be("validation");
                error.IsRetryable.Should().BeFalse();
                error.Message.Should().Contain("Input validation error");
                error.ProviderRequestId.Should().Be(requestId);
                break;
            }

            case "tgi_error_422_tool_error.json":
            {
                script.RawStatusCode = 422;
                var act = async () => await backend.ChatAsync(new ChatRequest("x"), Cancel);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.InvalidRequest);
                error.ProviderErrorType.Should().Be("tool_error");
                error.Message.Should().Contain("Grammar and tools are mutually exclusive");
                break;
            }

            default:
                throw new InvalidOperationException($"The fixture {name} has no expectation: add one.");
        }
    }

    [Fact]
    public async Task A_stream_ends_with_the_same_metadata_as_its_non_streamed_twin()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        EmulatorScript Script() => EmulatorScript.ToolCall("0", "get_weather", "{\"city\":", "\"Paris\"}").WithUsage(30, 9);
        emulator.Enqueue(Script(), Script());
        var whole = await backend.ChatAsync(new ChatRequest("weather?"), Cancel);
        var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("weather?"), Cancel));
        var streamed = Final(updates);
        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed));
        streamed.ResponseId.Should().BeNull("TGI sends an empty id");
        streamed.FinishReasons.Should().ContainSingle().Which.Should().Be(new FinishReason(FinishReasonKind.ToolCall, "stop"), "TGI says stop on tool-call turns");
        ToolCalls(updates).Should().ContainSingle().Which.Arguments.Should().Be("{\"city\":\"Paris\"}");
        whole.ToolCalls.Single().ArgumentsJson.Should().Be("{\"city\":\"Paris\"}");
    }

    [Fact]
    public async Task Messages_api_options_use_tgi_names_and_the_token_is_the_bearer()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        emulator.Enqueue(EmulatorScript.Text("ok"), EmulatorScript.Text("ok"));
        using var schema = JsonDocument.Parse("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}");
        var options = new GenerationOptions
        {
            ModelId = "tgi",
            Temperature = 0.4,
            TopP = 0.8,
            MaxOutputTokens = 50,
            StopSequences = ["\n\n"],
            Seed = 11,
            FrequencyPenalty = 0.3,
            PresencePenalty = 0.2,
            ChoiceCount = 2,
            Tools = [new ToolDefinition("get_weather", "Weather.", JsonDocument.Parse("{\"type\":\"object\"}").RootElement)],
            ToolChoice = ToolChoice.Required,
            ResponseFormat = ResponseFormat.ForJsonSchema("person", schema.RootElement),
        };
        await backend.ChatAsync(new ChatRequest("hi", options), Cancel);
        var wire = emulator.LastRequest;
        wire.Path.Should().Be("/v1/chat/completions");
        wire.Header("Authorization").Should().Be($"Bearer {Token}");
        wire.JsonProperty("model")!.Value.GetString().Should().Be("tgi");
        wire.JsonProperty("temperature")!.Value.GetDouble().Should().Be(0.4);
        wire.JsonProperty("top_p")!.Value.GetDouble().Should().Be(0.8);
        wire.JsonProperty("max_tokens")!.Value.GetInt32().Should().Be(50, "TGI reads max_tokens");
        wire.HasJsonProperty("max_completion_tokens").Should().BeFalse();
        wire.JsonProperty("stop")!.Value[0].GetString().Should().Be("\n\n");
        wire.JsonProperty("seed")!.Value.GetInt64().Should().Be(11);
        wire.JsonProperty("frequency_penalty")!.Value.GetDouble().Should().Be(0.3);
        wire.JsonProperty("presence_penalty")!.Value.GetDouble().Should().Be(0.2);
        wire.JsonProperty("n")!.Value.GetInt32().Should().Be(2);
        wire.JsonProperty("tool_choice")!.Value.GetString().Should().Be("required");
        wire.JsonProperty("tools")!.Value[0].GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        var format = wire.JsonProperty("response_format")!.Value;
        format.GetProperty("type").GetString().Should().Be("json_object", "TGI's grammar form");
        JsonElement.DeepEquals(format.GetProperty("value"), schema.RootElement).Should().BeTrue();
        wire.HasJsonProperty("top_k").Should().BeFalse();

        await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Cancel));
        emulator.LastRequest.JsonProperty("stream")!.Value.GetBoolean().Should().BeTrue();
        emulator.LastRequest.JsonProperty("stream_options")!.Value.GetProperty("include_usage").GetBoolean().Should().BeTrue();
        emulator.LastRequest.HasJsonProperty("max_tokens").Should().BeFalse("unset options stay out of the JSON");
    }

    [Fact]
    public async Task On_the_router_a_json_schema_uses_the_openai_form()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client, o => o.UseTgiResponseFormat = false);
        emulator.Enqueue(EmulatorScript.Text("{}"));
        using var schema = JsonDocument.Parse("{\"type\":\"object\"}");
        await backend.ChatAsync(new ChatRequest("hi", new GenerationOptions { ResponseFormat = ResponseFormat.ForJsonSchema("x", schema.RootElement) }), Cancel);
        emulator.LastRequest.JsonProperty("response_format")!.Value.GetProperty("type").GetString().Should().Be("json_schema");
        new HuggingFaceBackend(client, environment: Environment()).Info.ServerAddress.Should().Be("router.huggingface.co", "the router is the default base URL");
    }

    [Fact]
    public async Task Raw_batches_go_to_generate_with_details_one_request_per_prompt_in_prompt_order()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat { EchoPrompts = true });
        emulator.DefaultScript = EmulatorScript.Text("unused").WithUsage(4, 6).WithFinishReason("stop_sequence");
        using var client = new HttpClient();
        var backend = Backend(emulator, client, o => o.MaxConcurrency = 3);
        var prompts = Enumerable.Range(0, 5).Select(i => $"prompt {i}").ToArray();
        using var schema = JsonDocument.Parse("{\"type\":\"object\"}");
        var options = new GenerationOptions
        {
            MaxOutputTokens = 16,
            Temperature = 0.7,
            TopK = 20,
            TopP = 0.95,
            StopSequences = ["###"],
            Seed = 5,
            FrequencyPenalty = 0.1,
            ResponseFormat = ResponseFormat.ForJsonSchema("o", schema.RootElement),
            AdditionalProperties = new Dictionary<string, object?> { ["repetition_penalty"] = 1.1, ["details"] = false },
        };
        var response = await backend.CompleteRawAsync(new RawCompletionRequest(prompts, options), Cancel);
        response.Completions.Select(c => c.Text).Should().Equal(prompts.Select(p => "echo: " + p));
        response.Completions.Should().OnlyContain(c => c.FinishReason == new FinishReason(FinishReasonKind.Stop, "stop_sequence"), "stopping on a stop string is stop, not dropped");
        response.Metadata.Usage!.InputTokens.Should().Be(20, "x-prompt-tokens, summed");
        response.Metadata.Usage.OutputTokens.Should().Be(30, "details.generated_tokens, summed");
        response.Metadata.ProviderName.Should().Be("huggingface");
        emulator.Requests.Should().HaveCount(5).And.OnlyContain(r => r.Path == "/generate");
        var parameters = emulator.LastRequest.JsonProperty("parameters")!.Value;
        parameters.GetProperty("details").GetBoolean().Should().BeTrue("details is always asked for");
        parameters.GetProperty("return_full_text").GetBoolean().Should().BeFalse();
        parameters.GetProperty("max_new_tokens").GetInt32().Should().Be(16);
        parameters.GetProperty("temperature").GetDouble().Should().Be(0.7);
        parameters.GetProperty("do_sample").GetBoolean().Should().BeTrue();
        parameters.GetProperty("top_k").GetInt32().Should().Be(20);
        parameters.GetProperty("top_p").GetDouble().Should().Be(0.95);
        parameters.GetProperty("stop")[0].GetString().Should().Be("###");
        parameters.GetProperty("seed").GetInt64().Should().Be(5);
        parameters.GetProperty("frequency_penalty").GetDouble().Should().Be(0.1);
        parameters.GetProperty("repetition_penalty").GetDouble().Should().Be(1.1);
        parameters.GetProperty("grammar").GetProperty("type").GetString().Should().Be("json");
        emulator.LastRequest.Header("Authorization").Should().Be($"Bearer {Token}");

        emulator.Enqueue(EmulatorScript.Text("g"));
        await backend.CompleteRawAsync(new RawCompletionRequest(["x"], new GenerationOptions { Temperature = 0 }), Cancel);
        var greedy = emulator.LastRequest.JsonProperty("parameters")!.Value;
        greedy.GetProperty("do_sample").GetBoolean().Should().BeFalse("temperature 0 is greedy; TGI rejects 0 itself");
        greedy.TryGetProperty("temperature", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Generate_stream_framing_gives_input_length_and_the_finish()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat { SendTokenHeaders = false });
        var stream = EmulatorScript.Text("Hel", "lo").WithUsage(7, 2).WithFinishReason("length");
        var frames = new TgiWireFormat().RenderStream(stream, new RecordedRequest("POST", "/generate_stream", string.Empty, new Dictionary<string, string>(), []));
        emulator.Enqueue(new EmulatorScript { RawFrames = [.. frames], RawContentType = "text/event-stream" });
        using var client = new HttpClient();
        var response = await Backend(emulator, client).CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
        response.Completions[0].Text.Should().Be("Hello");
        response.Completions[0].FinishReason.Should().Be(new FinishReason(FinishReasonKind.Length, "length"));
        response.Metadata.Usage!.InputTokens.Should().Be(7, "details.input_length when there is no x-prompt-tokens header");
        frames.Should().OnlyContain(f => f.StartsWith("data:{", StringComparison.Ordinal), "TGI writes no space after data:");
    }

    [Fact]
    public async Task The_base_url_serves_both_the_messages_api_and_generate_with_or_without_v1()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();
        var root = new HuggingFaceBackend(client, new HuggingFaceBackendOptions { BaseUrl = emulator.BaseAddress.AbsoluteUri, Model = "m" }, Environment());
        await root.ChatAsync(new ChatRequest("hi"), Cancel);
        emulator.LastRequest.Path.Should().Be("/v1/chat/completions");
        emulator.LastRequest.Header("Authorization").Should().BeNull("a local TGI needs no token");
        await root.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
        emulator.LastRequest.Path.Should().Be("/generate");
        root.GenerateUrl!.AbsoluteUri.Should().Be(emulator.BaseAddress.AbsoluteUri + "generate");
    }

    [Fact]
    public async Task Bad_input_and_a_bad_base_url_fail_before_any_request_naming_the_field()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        var act = async () => await backend.ChatAsync(new ChatRequest("hi", new GenerationOptions { MaxOutputTokens = 0 }), Cancel);
        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.MaxOutputTokens", "the caller's request is validated before max_tokens is moved");
        var raw = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["ok", ""]), Cancel);
        (await raw.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Prompts[1]");
        var bad = new HuggingFaceBackend(client, new HuggingFaceBackendOptions { Model = "m" }, Environment(("HF_BASE_URL", "not a url")));
        var badChat = async () => await bad.ChatAsync(new ChatRequest("hi"), Cancel);
        (await badChat.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("HF_BASE_URL");
        var badRaw = async () => await bad.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
        (await badRaw.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("HF_BASE_URL");
        emulator.Requests.Should().BeEmpty();
    }

    public static TheoryData<int, ErrorCategory, bool, bool> Statuses()
    {
        var data = new TheoryData<int, ErrorCategory, bool, bool>();
        foreach (var raw in new[] { false, true })
        {
            data.Add(400, ErrorCategory.InvalidRequest, false, raw);
            data.Add(401, ErrorCategory.Auth, false, raw);
            data.Add(403, ErrorCategory.Auth, false, raw);
            data.Add(404, ErrorCategory.InvalidRequest, false, raw);
            data.Add(408, ErrorCategory.Timeout, true, raw);
            data.Add(429, ErrorCategory.RateLimit, true, raw);
            data.Add(500, ErrorCategory.ServerError, true, raw);
            data.Add(503, ErrorCategory.ServerError, true, raw);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task Error_statuses_map_to_category_and_retryability_and_never_show_the_token(int status, ErrorCategory category, bool retryable, bool raw)
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(status, retryAfter: status == 429 ? TimeSpan.FromSeconds(3) : null, message: $"token {Token} refused")));
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        Func<Task> act = raw
            ? async () => await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel)
            : async () => await backend.ChatAsync(new ChatRequest("x"), Cancel);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(category);
        error.StatusCode.Should().Be(status);
        error.IsRetryable.Should().Be(retryable);
        error.RetryAfter.Should().Be(status == 429 ? TimeSpan.FromSeconds(3) : null);
        error.ProviderName.Should().Be("huggingface");
        error.Message.Should().NotContain(Token);
        error.ToString().Should().NotContain(Token);
        backend.ToString().Should().NotContain(Token);
    }

    [Fact]
    public async Task A_malformed_body_a_dropped_connection_and_an_error_event_mid_stream_are_generation_exceptions()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);

        emulator.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        var malformed = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
        var malformedError = (await malformed.Should().ThrowAsync<GenerationException>()).Which;
        malformedError.Category.Should().Be(ErrorCategory.TransportError);
        malformedError.IsRetryable.Should().BeFalse();

        emulator.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        var malformedChat = async () => await backend.ChatAsync(new ChatRequest("x"), Cancel);
        (await malformedChat.Should().ThrowAsync<GenerationException>()).Which.ErrorType.Should().Be("malformed_response");

        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.DropConnection(afterChunks: 2)));
        var dropped = async () => await CollectAsync(backend.StreamChatAsync(new ChatRequest("x"), Cancel));
        var droppedError = (await dropped.Should().ThrowAsync<GenerationException>()).Which;
        droppedError.Category.Should().Be(ErrorCategory.TransportError);
        droppedError.IsRetryable.Should().BeTrue();

        emulator.Enqueue(EmulatorScript.Text("a", "b").WithFault(EmulatorFault.DropConnection(afterChunks: 0)));
        var droppedRaw = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Cancel);
        (await droppedRaw.Should().ThrowAsync<GenerationException>()).Which.Category.Should().Be(ErrorCategory.TransportError);

        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, message: "CUDA out of memory")));
        var midStream = async () => await CollectAsync(backend.StreamChatAsync(new ChatRequest("x"), Cancel));
        var midStreamError = (await midStream.Should().ThrowAsync<GenerationException>()).Which;
        midStreamError.Category.Should().Be(ErrorCategory.ServerError);
        midStreamError.Message.Should().Contain("CUDA out of memory");
    }

    [Fact]
    public async Task A_tgi_chat_stream_error_event_keeps_the_status_it_stands_for()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(new EmulatorScript
        {
            RawContentType = "text/event-stream",
            RawFrames =
            [
                "data: {\"object\":\"chat.completion.chunk\",\"id\":\"\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
                "data: {\"error\":{\"message\":\"Input validation error: grammar is invalid\",\"http_status_code\":422}}\n\n",
            ],
        });
        using var client = new HttpClient();
        var act = async () => await CollectAsync(Backend(emulator, client).StreamChatAsync(new ChatRequest("x"), Cancel));
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.InvalidRequest);
        error.StatusCode.Should().Be(422);
        error.IsRetryable.Should().BeFalse();
        error.Message.Should().Contain("grammar is invalid");
    }

    [Fact]
    public async Task Configuration_picks_huggingface_by_name_with_the_token_from_its_section()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(EmulatorScript.Text("configured"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "huggingface",
            ["Mellea:Model"] = "HuggingFaceTB/SmolLM3-3B",
            ["Mellea:BaseUrl"] = emulator.OpenAIBaseUrl,
            ["Mellea:HuggingFace:ApiKey"] = "hf_from_configuration",
        }).Build();
        var services = new ServiceCollection();
        services.AddMelleaHuggingFace();
        services.AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();
        var handler = provider.GetRequiredService<IGenerationHandler>();
        handler.Info.ProviderName.Should().Be("huggingface");
        (await handler.ChatAsync(new ChatRequest("hi"), Cancel)).Text.Should().Be("configured");
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer hf_from_configuration");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("HuggingFaceTB/SmolLM3-3B");
    }

    private static void AssertMetadata(GenerationMetadata metadata, string? id, string model, FinishReason finish, long? input, long? output, long? total, string? requestId)
    {
        metadata.ProviderName.Should().Be("huggingface");
        metadata.ResponseId.Should().Be(id);
        metadata.ResponseModel.Should().Be(model);
        metadata.FinishReasons.Should().ContainSingle().Which.Should().Be(finish);
        metadata.Usage?.InputTokens.Should().Be(input);
        metadata.Usage?.OutputTokens.Should().Be(output);
        metadata.Usage?.TotalTokens.Should().Be(total);
        if (input is null)
        {
            metadata.Usage.Should().BeNull();
        }

        metadata.ProviderRequestId.Should().Be(requestId);
    }

    private static void AssertRaw(RawCompletionResponse response, FinishReason finish, long? input, long output, string? requestId)
    {
        response.Completions.Should().ContainSingle().Which.FinishReason.Should().Be(finish);
        response.Metadata.FinishReasons.Should().Equal(finish);
        response.Metadata.Usage!.InputTokens.Should().Be(input);
        response.Metadata.Usage.OutputTokens.Should().Be(output);
        response.Metadata.ProviderRequestId.Should().Be(requestId);
        response.Metadata.ProviderName.Should().Be("huggingface");
    }
}
