using System.Text.Json;
using Mellea.Backends.Ollama;
using Mellea.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

public sealed class OllamaTests
{
    private const string Provider = "ollama";

    private static OllamaBackend Backend(ProviderEmulator emulator, HttpClient client, Action<OllamaBackendOptions>? configure = null, string? apiKey = null)
    {
        var options = new OllamaBackendOptions { Model = "llama3.2" };
        configure?.Invoke(options);
        return new OllamaBackend(client, options, Environment(("OLLAMA_HOST", emulator.BaseAddress.AbsoluteUri), ("OLLAMA_API_KEY", apiKey)));
    }

    public static TheoryData<string> FixtureNames => Fixtures.Names(Provider);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public async Task Every_fixture_gives_the_right_metadata_over_loopback(string name)
    {
        var folder = Fixtures.Directory(Provider);
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        // A request fixture is what the backend must send, so it is answered by a script; every other fixture is the answer, replayed byte for byte.
        var script = name.EndsWith(".request.json", StringComparison.Ordinal) ? EmulatorScript.Text("ok") : EmulatorScript.FromFixture(Path.Combine(folder, name));
        emulator.Enqueue(script);
        switch (name)
        {
            case "chat_nonstream_docs.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("hi"), Token);
                response.Text.Should().Be("Hello! How are you today?");
                AssertMetadata(response.Metadata, "llama3.2", FinishReasonKind.Stop, "stop", 26, 298, totalNs: 5191566416);
                response.Metadata.ProviderExtras!.Should().NotContainKey(OllamaExtras.DoneReason, "the old doc example has no done_reason; stop is inferred from a finished answer");
                break;
            }

            case "chat_nonstream_length.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("hello"), Token);
                response.Text.Should().Be("Hello! How are you today? Is there something");
                AssertMetadata(response.Metadata, "llama3.1", FinishReasonKind.Length, "length", 11, 10, totalNs: 22186844400);
                response.Metadata.ProviderExtras![OllamaExtras.LoadDurationNs].Should().Be(17947219100L);
                response.Metadata.ProviderExtras![OllamaExtras.PromptEvalDurationNs].Should().Be(1953805000L);
                response.Metadata.ProviderExtras![OllamaExtras.EvalDurationNs].Should().Be(2277274000L);
                break;
            }

            case "chat_options.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("i'm good. how are you?"), Token);
                response.Text.Should().StartWith("I'm just a computer program");
                AssertMetadata(response.Metadata, "llama3.1", FinishReasonKind.Stop, "stop", 36, 55, totalNs: 23229369000);
                break;
            }

            case "chat_tool_call.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("weather in Tokyo?"), Token);
                var call = response.ToolCalls.Should().ContainSingle().Subject;
                call.Name.Should().Be("get_weather");
                call.CallId.Should().BeEmpty("Ollama's doc example has no call id");
                JsonDocument.Parse(call.ArgumentsJson).RootElement.GetProperty("city").GetString().Should().Be("Tokyo");
                AssertMetadata(response.Metadata, "llama3.2", FinishReasonKind.ToolCall, "stop", 169, 18, totalNs: 3244883583);
                break;
            }

            case "chat_tool_call_captured.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("How old is Alice?"), Token);
                var call = response.ToolCalls.Should().ContainSingle().Subject;
                call.Name.Should().Be("GetPersonAge");
                JsonDocument.Parse(call.ArgumentsJson).RootElement.GetProperty("personName").GetString().Should().Be("Alice");
                AssertMetadata(response.Metadata, "llama3.1", FinishReasonKind.ToolCall, "stop", 170, 19, totalNs: 27351311300);
                break;
            }

            case "chat_stream.ndjson":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("hello"), Token));
                Text(updates).Should().StartWith("Hello! How are you").And.EndWith(" to");
                var metadata = Final(updates);
                metadata.Streamed.Should().BeTrue();
                AssertMetadata(metadata, "llama3.1", FinishReasonKind.Length, "length", 11, 20, totalNs: 11912402900);
                updates.Where(u => u.FinishReason is not null).Should().ContainSingle().Which.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Length);
                break;
            }

            case "generate.response.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["Why is the sky blue?"]), Token);
                response.Completions.Should().ContainSingle().Which.Text.Should().Be("Hello! How can I help you today?");
                AssertMetadata(response.Metadata, "gemma4", FinishReasonKind.Stop, "stop", 11, 18, totalNs: 174560334);
                response.Completions[0].Usage!.OutputTokens.Should().Be(18);
                break;
            }

            case "generate_stream.ndjson":
            {
                // Answered as NDJSON although the request said stream:false: read line by line, same facts.
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["Why?"]), Token);
                response.Completions[0].Text.Should().EndWith(" question!");
                response.Completions[0].FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
                response.Metadata.ResponseModel.Should().Be("gemma4");
                response.Metadata.Usage.Should().BeNull("the doc example's last line has no metrics");
                break;
            }

            case "generate_stream_midstream_error.ndjson":
            {
                var act = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["Why?"]), Token);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.ServerError);
                error.Message.Should().Contain("an error was encountered while running the model");
                error.ProviderName.Should().Be("ollama");
                break;
            }

            case "generate_unload.response.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token);
                response.Completions[0].Text.Should().BeEmpty();
                response.Completions[0].FinishReason.Should().BeNull("an unload is not a generation");
                response.Metadata.FinishReasons.Should().BeEmpty();
                break;
            }

            case "error.json":
            {
                script.RawStatusCode = 500;
                var act = async () => await backend.ChatAsync(new ChatRequest("x"), Token);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.ServerError);
                error.StatusCode.Should().Be(500);
                error.IsRetryable.Should().BeTrue();
                error.Message.Should().Contain("the model failed to generate a response");
                break;
            }

            case "chat_nonstream_length.request.json":
                await AssertWireRequestAsync(emulator, backend, name, new ChatRequest("hello", new GenerationOptions { ModelId = "llama3.1", MaxOutputTokens = 10, Temperature = 0.5 }), stream: false);
                break;
            case "chat_stream.request.json":
                await AssertWireRequestAsync(emulator, backend, name, new ChatRequest("hello", new GenerationOptions { ModelId = "llama3.1", MaxOutputTokens = 20, Temperature = 0.5 }), stream: true);
                break;
            case "chat_options.request.json":
                await AssertWireRequestAsync(
                    emulator,
                    backend,
                    name,
                    new ChatRequest(
                        [ChatMessage.User("hello!"), ChatMessage.Assistant("hi, how are you?"), ChatMessage.User("i'm good. how are you?")],
                        new GenerationOptions { ModelId = "llama3.1", FrequencyPenalty = 0.75, PresencePenalty = 0.5, Seed = 42, StopSequences = ["great"], Temperature = 0.25 }),
                    stream: false);
                break;
            case "chat_tool_call_captured.request.json":
            {
                var fixture = Fixtures.Json(Provider, name);
                var function = fixture.GetProperty("tools")[0].GetProperty("function");
                var tool = new ToolDefinition(function.GetProperty("name").GetString()!, function.GetProperty("description").GetString(), function.GetProperty("parameters").Clone());
                await AssertWireRequestAsync(emulator, backend, name, new ChatRequest("How old is Alice?", new GenerationOptions { ModelId = "llama3.1", Tools = [tool] }), stream: false);
                break;
            }

            case "generate_raw.request.json":
            {
                await backend.CompleteRawAsync(new RawCompletionRequest(["[INST] why is the sky blue? [/INST]"], new GenerationOptions { ModelId = "mistral" }), Token);
                JsonElement.DeepEquals(emulator.LastRequest.Json!.Value, Fixtures.Json(Provider, name)).Should().BeTrue(emulator.LastRequest.BodyText);
                break;
            }

            default:
                throw new InvalidOperationException($"The fixture {name} has no expectation: add one.");
        }
    }

    [Fact]
    public async Task A_stream_ends_with_the_same_metadata_as_its_non_streamed_twin()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        EmulatorScript Script() => EmulatorScript.Text("Hel", "lo").WithUsage(12, 3).WithIdentity(null, "llama3.2:latest");
        emulator.Enqueue(Script(), Script());
        var whole = await backend.ChatAsync(new ChatRequest("hi"), Token);
        var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        emulator.Requests[0].JsonProperty("stream")!.Value.GetBoolean().Should().BeFalse();
        emulator.Requests[1].JsonProperty("stream")!.Value.GetBoolean().Should().BeTrue();
        Text(updates).Should().Be(whole.Text).And.Be("Hello");
        var streamed = Final(updates);
        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed));
        streamed.ResponseId.Should().BeNull();
        streamed.Usage!.TotalTokens.Should().Be(15);
        streamed.ProviderExtras![OllamaExtras.EvalDurationNs].Should().Be(OllamaWireFormat.EvalDurationNs);
    }

    [Fact]
    public async Task Streamed_tool_calls_thinking_and_a_stop_turn_give_tool_call()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        var script = EmulatorScript.ToolCall("ignored", "get_weather", "{\"city\":\"Paris\"}").WithUsage(20, 8);
        script.FirstChoice.ReasoningChunks.Add("The user wants weather.");
        emulator.Enqueue(script);
        var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("weather?", new GenerationOptions { ReasoningLevel = "true" }), Token));
        Reasoning(updates).Should().Be("The user wants weather.");
        var call = ToolCalls(updates).Should().ContainSingle().Subject;
        call.Name.Should().Be("get_weather");
        JsonDocument.Parse(call.Arguments).RootElement.GetProperty("city").GetString().Should().Be("Paris");
        Final(updates).FinishReasons.Should().ContainSingle().Which.Should().Be(new FinishReason(FinishReasonKind.ToolCall, "stop"));
        emulator.LastRequest.JsonProperty("think")!.Value.GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task A_whole_answer_keeps_the_thinking_text_and_options_never_show_keys()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client, apiKey: "ollama-secret-key");
        var script = EmulatorScript.Text("42").WithUsage(4, 9);
        script.FirstChoice.ReasoningChunks.Add("Six times seven.");
        emulator.Enqueue(script);
        var response = await backend.ChatAsync(new ChatRequest("6*7?", new GenerationOptions { ReasoningLevel = "false" }), Token);
        response.Text.Should().Be("42");
        response.ReasoningText.Should().Be("Six times seven.");
        emulator.LastRequest.JsonProperty("think")!.Value.GetBoolean().Should().BeFalse();
        new OllamaBackendOptions { ApiKey = "ollama-secret-key" }.ToString().Should().NotContain("ollama-secret-key");
        new Mellea.Backends.HuggingFace.HuggingFaceBackendOptions { ApiKey = "hf_secret" }.ToString().Should().NotContain("hf_secret");
        backend.ToString().Should().NotContain("ollama-secret-key");
    }

    [Fact]
    public async Task Every_option_lands_on_its_ollama_name_and_unset_ones_are_absent()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        emulator.Enqueue(EmulatorScript.Text("ok"), EmulatorScript.Text("ok"), EmulatorScript.Text("ok"));
        using var schema = JsonDocument.Parse("{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"}},\"required\":[\"age\"]}");
        var options = new GenerationOptions
        {
            ModelId = "granite3.3:8b",
            MaxOutputTokens = 64,
            Temperature = 0.3,
            TopK = 40,
            TopP = 0.9,
            Seed = 7,
            StopSequences = ["END", "STOP"],
            ContextWindowTokens = 8192,
            FrequencyPenalty = 0.1,
            PresencePenalty = 0.2,
            ResponseFormat = ResponseFormat.ForJsonSchema("person", schema.RootElement),
            ReasoningLevel = "high",
            Tools = [new ToolDefinition("lookup", "Looks up a person.", JsonDocument.Parse("{\"type\":\"object\"}").RootElement)],
            AdditionalProperties = new Dictionary<string, object?> { ["keep_alive"] = "5m", ["min_p"] = 0.05, ["temperature"] = 1.9 },
        };
        await backend.ChatAsync(new ChatRequest("hi", options), Token);
        var wire = emulator.LastRequest;
        wire.Path.Should().Be("/api/chat");
        wire.JsonProperty("model")!.Value.GetString().Should().Be("granite3.3:8b");
        var ollamaOptions = wire.JsonProperty("options")!.Value;
        ollamaOptions.GetProperty("num_predict").GetInt32().Should().Be(64);
        ollamaOptions.GetProperty("temperature").GetDouble().Should().Be(0.3, "a typed option wins over an extra of the same name");
        ollamaOptions.GetProperty("top_k").GetInt32().Should().Be(40);
        ollamaOptions.GetProperty("top_p").GetDouble().Should().Be(0.9);
        ollamaOptions.GetProperty("seed").GetInt64().Should().Be(7);
        ollamaOptions.GetProperty("stop").EnumerateArray().Select(s => s.GetString()).Should().Equal("END", "STOP");
        ollamaOptions.GetProperty("num_ctx").GetInt32().Should().Be(8192);
        ollamaOptions.GetProperty("frequency_penalty").GetDouble().Should().Be(0.1);
        ollamaOptions.GetProperty("presence_penalty").GetDouble().Should().Be(0.2);
        ollamaOptions.GetProperty("min_p").GetDouble().Should().Be(0.05);
        JsonElement.DeepEquals(wire.JsonProperty("format")!.Value, schema.RootElement).Should().BeTrue("format is the JSON schema itself");
        wire.JsonProperty("think")!.Value.GetString().Should().Be("high");
        wire.JsonProperty("keep_alive")!.Value.GetString().Should().Be("5m");
        wire.JsonProperty("tools")!.Value[0].GetProperty("function").GetProperty("name").GetString().Should().Be("lookup");

        await backend.ChatAsync(new ChatRequest("hi", new GenerationOptions { ResponseFormat = ResponseFormat.Json }), Token);
        emulator.LastRequest.JsonProperty("format")!.Value.GetString().Should().Be("json");
        emulator.LastRequest.HasJsonProperty("options").Should().BeFalse();
        emulator.LastRequest.HasJsonProperty("think").Should().BeFalse();
        emulator.LastRequest.HasJsonProperty("tools").Should().BeFalse();

        await backend.ChatAsync(new ChatRequest("hi"), Token);
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("llama3.2", "the backend's default model");
        emulator.LastRequest.HasJsonProperty("format").Should().BeFalse();
    }

    [Fact]
    public async Task Tool_turns_are_sent_back_with_object_arguments_and_the_tool_name()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        emulator.Enqueue(EmulatorScript.Text("It is 20 C."));
        var history = new[]
        {
            ChatMessage.User("weather?"),
            new ChatMessage(ChatRole.Assistant, [new ToolCallPart("call_1", "get_weather", "{\"city\":\"Paris\"}")]),
            ChatMessage.ToolResult("call_1", "{\"temp\":20}"),
        };
        await backend.ChatAsync(new ChatRequest(history), Token);
        var messages = emulator.LastRequest.JsonProperty("messages")!.Value;
        messages[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetProperty("city").GetString().Should().Be("Paris");
        messages[2].GetProperty("role").GetString().Should().Be("tool");
        messages[2].GetProperty("tool_name").GetString().Should().Be("get_weather");
        messages[2].GetProperty("content").GetString().Should().Be("{\"temp\":20}");
    }

    [Fact]
    public async Task A_raw_batch_is_one_request_per_prompt_in_prompt_order_with_summed_usage()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat { EchoPrompts = true });
        emulator.DefaultScript = EmulatorScript.Text("unused").WithUsage(5, 2);
        using var client = new HttpClient();
        var backend = Backend(emulator, client, o => o.MaxConcurrency = 3);
        var prompts = Enumerable.Range(0, 7).Select(i => $"prompt {i}").ToArray();
        var response = await backend.CompleteRawAsync(new RawCompletionRequest(prompts, new GenerationOptions { MaxOutputTokens = 9, Seed = 3 }), Token);
        response.Completions.Select(c => c.Text).Should().Equal(prompts.Select(p => "echo: " + p));
        response.Completions.Select(c => c.PromptIndex).Should().Equal(Enumerable.Range(0, 7));
        response.Metadata.Usage!.InputTokens.Should().Be(35);
        response.Metadata.Usage.OutputTokens.Should().Be(14);
        response.Metadata.Usage.TotalTokens.Should().Be(49);
        response.Metadata.FinishReasons.Should().HaveCount(7).And.OnlyContain(f => f.Kind == FinishReasonKind.Stop);
        response.Metadata.ProviderExtras![OllamaExtras.TotalDurationNs].Should().Be(7 * OllamaWireFormat.TotalDurationNs);
        emulator.Requests.Should().HaveCount(7).And.OnlyContain(r => r.Path == "/api/generate");
        foreach (var request in emulator.Requests)
        {
            request.JsonProperty("raw")!.Value.GetBoolean().Should().BeTrue();
            request.JsonProperty("stream")!.Value.GetBoolean().Should().BeFalse();
            request.JsonProperty("options")!.Value.GetProperty("num_predict").GetInt32().Should().Be(9);
            request.JsonProperty("options")!.Value.GetProperty("seed").GetInt32().Should().Be(3);
        }
    }

    [Fact]
    public async Task A_raw_batch_runs_concurrently_within_its_bound()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.DefaultScript = EmulatorScript.Text("x").WithFirstByteDelay(TimeSpan.FromMilliseconds(20));
        using var probe = new TestSupport.ConcurrencyProbe { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), GateOpensAt = 2 };
        using var client = new HttpClient(probe);
        var backend = Backend(emulator, client, o => o.MaxConcurrency = 2);

        // The gate opens only when two requests are in flight at once: a sequential batch would never get past it.
        var response = await backend.CompleteRawAsync(new RawCompletionRequest(Enumerable.Range(0, 6).Select(i => $"p{i}")), Token);
        response.Completions.Should().HaveCount(6);
        probe.MaxInFlight.Should().Be(2);
    }

    [Fact]
    public async Task A_failing_prompt_fails_the_batch_with_its_error_and_cancels_the_others()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(404, message: "model \"nope\" not found, try pulling it first")));
        emulator.DefaultScript = EmulatorScript.Text("slow").WithFirstByteDelay(TimeSpan.FromSeconds(30));
        using var probe = new TestSupport.ConcurrencyProbe();
        using var client = new HttpClient(probe);
        var backend = Backend(emulator, client, o => o.MaxConcurrency = 3);
        var act = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["a", "b", "c", "d"]), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.InvalidRequest);
        error.StatusCode.Should().Be(404);
        error.Message.Should().Contain("try pulling it first");
        probe.Cancelled.Should().BeGreaterThanOrEqualTo(1, "the prompts still in flight are cancelled");
        emulator.Requests.Count.Should().BeLessThan(4, "no new prompt starts after the failure");
    }

    [Fact]
    public async Task A_server_that_is_down_gives_a_transport_error_naming_the_url_and_how_to_start_ollama()
    {
        var port = ClosedPort();
        using var client = new HttpClient();
        var backend = new OllamaBackend(client, new OllamaBackendOptions { Model = "llama3.2" }, Environment(("OLLAMA_HOST", $"127.0.0.1:{port}")));
        backend.Info.ServerPort.Should().Be(port, "construction parsed the host and sent nothing");
        var act = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.TransportError);
        error.IsRetryable.Should().BeTrue();
        error.Message.Should().Contain($"http://127.0.0.1:{port}/").And.Contain("OLLAMA_HOST").And.Contain("ollama serve");

        var raw = async () => await backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token);
        (await raw.Should().ThrowAsync<GenerationException>()).Which.Message.Should().Contain("ollama serve");
    }

    [Fact]
    public void The_host_defaults_to_localhost_11434_and_bare_hosts_get_ollamas_port()
    {
        using var client = new HttpClient();
        new OllamaBackend(client, environment: Environment()).BaseUrl!.AbsoluteUri.Should().Be("http://localhost:11434/");
        new OllamaBackend(client, environment: Environment(("OLLAMA_HOST", "gpu-box"))).BaseUrl!.AbsoluteUri.Should().Be("http://gpu-box:11434/");
        new OllamaBackend(client, environment: Environment(("OLLAMA_HOST", "https://ollama.example.com"))).BaseUrl!.AbsoluteUri.Should().Be("https://ollama.example.com/");
        new OllamaBackend(client, new OllamaBackendOptions { BaseUrl = "http://10.0.0.5:9999" }, Environment(("OLLAMA_HOST", "ignored"))).Info.ServerPort.Should().Be(9999);
    }

    [Fact]
    public async Task Bad_input_and_a_bad_host_fail_before_any_request_naming_the_field()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        var badTemperature = async () => await backend.ChatAsync(new ChatRequest("hi", new GenerationOptions { Temperature = 3 }), Token);
        (await badTemperature.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.Temperature");
        var noPrompts = async () => await backend.CompleteRawAsync(new RawCompletionRequest([]), Token);
        (await noPrompts.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Prompts");
        var streamAct = () => backend.StreamChatAsync(new ChatRequest("hi", new GenerationOptions { MaxOutputTokens = 0 }), Token);
        streamAct.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("Options.MaxOutputTokens");
        var noModel = new OllamaBackend(client, environment: Environment(("OLLAMA_HOST", emulator.BaseAddress.AbsoluteUri)));
        var noModelAct = async () => await noModel.ChatAsync(new ChatRequest("hi"), Token);
        (await noModelAct.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.ModelId");

        var badHost = new OllamaBackend(client, new OllamaBackendOptions { Model = "m" }, Environment(("OLLAMA_HOST", "http://[broken")));
        var badHostAct = async () => await badHost.ChatAsync(new ChatRequest("hi"), Token);
        (await badHostAct.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("OLLAMA_HOST");
        emulator.Requests.Should().BeEmpty();
    }

    public static TheoryData<int, ErrorCategory, bool> Statuses => new()
    {
        { 400, ErrorCategory.InvalidRequest, false },
        { 401, ErrorCategory.Auth, false },
        { 403, ErrorCategory.Auth, false },
        { 404, ErrorCategory.InvalidRequest, false },
        { 408, ErrorCategory.Timeout, true },
        { 429, ErrorCategory.RateLimit, true },
        { 500, ErrorCategory.ServerError, true },
        { 503, ErrorCategory.ServerError, true },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task Error_statuses_map_to_category_and_retryability_and_never_show_the_key(int status, ErrorCategory category, bool retryable)
    {
        const string Key = "ollama-MARKER-key-4242";
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(status, retryAfter: status == 429 ? TimeSpan.FromSeconds(2) : null, message: $"rejected key {Key}")));
        using var client = new HttpClient();
        var backend = Backend(emulator, client, apiKey: Key);
        var act = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(category);
        error.StatusCode.Should().Be(status);
        error.IsRetryable.Should().Be(retryable);
        error.ProviderName.Should().Be("ollama");
        error.RetryAfter.Should().Be(status == 429 ? TimeSpan.FromSeconds(2) : null);
        error.Message.Should().NotContain(Key);
        error.ToString().Should().NotContain(Key);
        emulator.LastRequest.Header("Authorization").Should().Be($"Bearer {Key}");
    }

    [Fact]
    public async Task A_malformed_body_a_dropped_connection_and_an_error_line_mid_stream_are_generation_exceptions()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        using var client = new HttpClient();
        var backend = Backend(emulator, client);

        emulator.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        var malformed = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
        var malformedError = (await malformed.Should().ThrowAsync<GenerationException>()).Which;
        malformedError.Category.Should().Be(ErrorCategory.TransportError);
        malformedError.IsRetryable.Should().BeFalse();

        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.MalformedJson()));
        var malformedStream = async () => await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        (await malformedStream.Should().ThrowAsync<GenerationException>()).Which.ErrorType.Should().Be("malformed_response");

        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.DropConnection(afterChunks: 1)));
        var dropped = async () => await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var droppedError = (await dropped.Should().ThrowAsync<GenerationException>()).Which;
        droppedError.Category.Should().Be(ErrorCategory.TransportError);
        droppedError.IsRetryable.Should().BeTrue();

        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, message: "out of memory")));
        var received = new List<string?>();
        var midStream = async () =>
        {
            await foreach (var update in backend.StreamChatAsync(new ChatRequest("hi"), Token))
            {
                received.Add(update.TextDelta);
            }
        };
        var midStreamError = (await midStream.Should().ThrowAsync<GenerationException>()).Which;
        midStreamError.Category.Should().Be(ErrorCategory.ServerError);
        midStreamError.Message.Should().Contain("out of memory");
        received.Should().Equal("a", "b");
    }

    [Fact]
    public async Task Caller_cancellation_surfaces_as_operation_canceled()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(30)));
        using var client = new HttpClient();
        var backend = Backend(emulator, client);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var call = backend.ChatAsync(new ChatRequest("hi"), cancellation.Token).AsTask();
        while (emulator.Requests.Count == 0)
        {
            await Task.Yield();
        }

        await cancellation.CancelAsync();
        await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Configuration_picks_ollama_by_name_with_base_url_and_model_from_the_pipeline_settings()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Text("configured"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "ollama",
            ["Mellea:Model"] = "granite3.3:2b",
            ["Mellea:BaseUrl"] = emulator.BaseAddress.AbsoluteUri,
        }).Build();
        var services = new ServiceCollection();
        services.AddMelleaOllama(o => o.Model = "overridden");
        services.AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();
        var handler = provider.GetRequiredService<IGenerationHandler>();
        handler.Info.ProviderName.Should().Be("ollama");
        var response = await handler.ChatAsync(new ChatRequest("hi"), Token);
        response.Text.Should().Be("configured");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("granite3.3:2b");
        provider.GetRequiredService<OllamaBackend>().Info.DefaultModelId.Should().Be("overridden");
    }

    private static void AssertMetadata(GenerationMetadata metadata, string model, FinishReasonKind kind, string raw, long input, long output, long totalNs)
    {
        metadata.ProviderName.Should().Be("ollama");
        metadata.RequestModel.Should().NotBeNull();
        metadata.ResponseModel.Should().Be(model);
        metadata.ResponseId.Should().BeNull("Ollama has no response id");
        metadata.FinishReasons.Should().ContainSingle().Which.Should().Be(new FinishReason(kind, raw));
        metadata.Usage!.InputTokens.Should().Be(input);
        metadata.Usage.OutputTokens.Should().Be(output);
        metadata.Usage.TotalTokens.Should().Be(input + output);
        metadata.ServerAddress.Should().Be("127.0.0.1");
        metadata.ProviderExtras![OllamaExtras.TotalDurationNs].Should().Be(totalNs);
    }

    private static async Task AssertWireRequestAsync(ProviderEmulator emulator, OllamaBackend backend, string fixture, ChatRequest request, bool stream)
    {
        if (stream)
        {
            await CollectAsync(backend.StreamChatAsync(request, Token));
        }
        else
        {
            await backend.ChatAsync(request, Token);
        }

        var expected = Fixtures.Json(Provider, fixture);
        JsonElement.DeepEquals(emulator.LastRequest.Json!.Value, expected).Should().BeTrue($"the wire request {emulator.LastRequest.BodyText} should equal {expected.GetRawText()}");
    }
}
