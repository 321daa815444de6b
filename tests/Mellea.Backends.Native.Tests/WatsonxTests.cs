using System.Text.Json;
using Mellea.Backends.Watsonx;
using Mellea.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

public sealed class WatsonxTests
{
    private const string Provider = "watsonx";
    private const string Key = "wx-MARKER-apikey-777";
    private const string Project = "63dc4cf1-252f-424b-b52d-5cdd9814987f";

    public static TheoryData<string> FixtureNames => Fixtures.Names(Provider);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public async Task Every_fixture_gives_the_right_metadata_over_loopback(string name)
    {
        var folder = Fixtures.Directory(Provider);
        await using var rig = await Rig.StartAsync(key: name == "iam_token.request.form" ? "MY_APIKEY" : Key);
        var isRequest = name.EndsWith(".request.json", StringComparison.Ordinal) || name.EndsWith(".request.form", StringComparison.Ordinal);
        var isIam = name.StartsWith("iam_", StringComparison.Ordinal);
        var replay = isRequest ? EmulatorScript.Text("ok") : EmulatorScript.FromFixture(Path.Combine(folder, name));
        if (isIam && !isRequest)
        {
            rig.Iam.Enqueue(replay);
        }
        else
        {
            rig.Service.Enqueue(replay);
        }

        var backend = rig.Backend;
        switch (name)
        {
            case "chat.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("Where was it played?"), Token);
                response.Text.Should().StartWith("The 2020 World Series was played at Globe Life Field");
                AssertMetadata(response.Metadata, "cmpl-15475d0dea9b4429a55843c77997f8a9", "meta-llama/llama-3-8b-instruct", [new(FinishReasonKind.Stop, "stop")], 59, 47, 106);
                break;
            }

            case "chat_tool_call.response.json":
            {
                var response = await backend.ChatAsync(new ChatRequest("Weather in Boston?"), Token);
                var call = response.ToolCalls.Should().ContainSingle().Subject;
                call.CallId.Should().Be("chatcmpl-tool-ef093f0cbbff4c6a973aa0873f73fc99");
                call.Name.Should().Be("get_current_weather");
                JsonDocument.Parse(call.ArgumentsJson).RootElement.GetProperty("location").GetString().Should().Be("Boston, MA");
                AssertMetadata(response.Metadata, "cmpl-15475d0dea9b4429a55843c77997f8a9", "meta-llama/llama-3-8b-instruct", [new(FinishReasonKind.ToolCall, "stop")], 19, 18, 37);
                break;
            }

            case "chat_stream_n2.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("Capital of Italy?", new GenerationOptions { ChoiceCount = 2 }), Token));
                Text(updates, 0).Should().Be("The capital of Italy is **Rome**.");
                Text(updates, 1).Should().Be("The capital of Italy is **Rome**.");
                Reasoning(updates, 0).Should().HaveLength(124);
                Reasoning(updates, 1).Should().HaveLength(104);
                AssertMetadata(Final(updates), "chatcmpl-d1439e1faccc4d628ee717c924b0c2cb", "openai/gpt-oss-120b", [new(FinishReasonKind.Stop, "stop"), new(FinishReasonKind.Stop, "stop")], 77, 92, 169);
                Final(updates).Streamed.Should().BeTrue();
                break;
            }

            case "chat_stream_reasoning.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("Hello in Italian?"), Token));
                Text(updates).Should().Be("\"Hello\" in Italian is **\"ciao\"**.");
                Reasoning(updates).Should().HaveLength(23);
                AssertMetadata(Final(updates), "chatcmpl-3956a62a1e0446b0a1f4115152baf489", "openai/gpt-oss-120b-curated", [new(FinishReasonKind.Stop, "stop")], 85, 27, 112);
                break;
            }

            case "chat_stream_tool_calls_n2.sse":
            {
                var updates = await CollectAsync(backend.StreamChatAsync(new ChatRequest("2 + 2?", new GenerationOptions { ChoiceCount = 2 }), Token));
                foreach (var choice in new[] { 0, 1 })
                {
                    var call = ToolCalls(updates, choice).Should().ContainSingle().Subject;
                    call.Name.Should().Be("sum");
                    call.Id.Should().StartWith("chatcmpl-tool-");
                    JsonDocument.Parse(call.Arguments).RootElement.GetProperty("second_number").GetInt32().Should().Be(2);
                    Text(updates, choice).Should().Be("The result of 2 + 2 is 4.");
                }

                AssertMetadata(Final(updates), "chatcmpl-5443caf3d54e4ac38b735f5156933582", "openai/gpt-oss-120b", [new(FinishReasonKind.ToolCall, "tool_calls"), new(FinishReasonKind.ToolCall, "tool_calls")], 158, 138, 296);
                break;
            }

            case "text_generation.response.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["What is 4,000 km?"]), Token);
                response.Completions[0].Text.Should().Be("4,000 km");
                AssertRaw(response, "google/flan-ul2", new FinishReason(FinishReasonKind.Stop, "eos_token"), 12, 4);
                break;
            }

            case "text_generation_moderated.response.json":
            {
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["Contact the USPS?"]), Token);
                response.Completions[0].Text.Should().StartWith("c/o USPS");
                AssertRaw(response, "google/flan-t5-xl", new FinishReason(FinishReasonKind.Stop, "eos_token"), 11, 118);
                break;
            }

            case "text_generation_stream.sse":
            {
                // generation_stream framing: input_token_count only in the first event, generated_token_count cumulative.
                var response = await backend.CompleteRawAsync(new RawCompletionRequest(["What day is it?"]), Token);
                response.Completions[0].Text.Should().Be("Today is a beautiful day.");
                AssertRaw(response, "ibm/granite-13b-instruct-v2", new FinishReason(FinishReasonKind.Stop, "eos_token"), 68, 7);
                break;
            }

            case "error_401_token_expired.json":
            {
                // The recorded expired-token 401, then a success: one refresh, one retry, with the new token.
                rig.Service.Enqueue(EmulatorScript.Text("after refresh"));
                var response = await backend.ChatAsync(new ChatRequest("hi"), Token);
                response.Text.Should().Be("after refresh");
                rig.Iam.Requests.Should().HaveCount(2);
                rig.Service.Requests.Select(r => r.Header("Authorization")).Should().Equal("Bearer emulated-iam-token-1", "Bearer emulated-iam-token-2");
                break;
            }

            case "error_401_token_not_valid.json":
            {
                var act = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.Auth);
                error.StatusCode.Should().Be(401);
                error.ProviderErrorCode.Should().Be("authentication_token_not_valid");
                error.ProviderRequestId.Should().Be("23e11747002c4d2919987401b745f6a7", "the trace id is the request id");
                error.IsRetryable.Should().BeFalse();
                rig.Iam.Requests.Should().ContainSingle("only an expired token is refreshed");
                rig.Service.Requests.Should().ContainSingle();
                break;
            }

            case "iam_error_400_apikey_not_found.json":
            {
                replay.RawStatusCode = 400;
                var act = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.Auth, "IAM answers 400 for an unknown key");
                error.StatusCode.Should().Be(400);
                error.ProviderErrorCode.Should().Be("BXNIM0415E");
                error.ProviderRequestId.Should().Be("bTlidjk-91c2c5d491364775817d4e78ad5d8d00");
                error.IsRetryable.Should().BeFalse();
                error.Message.Should().Contain("Provided API key could not be found.").And.Contain("WATSONX_API_KEY").And.NotContain(Key);
                rig.Service.Requests.Should().BeEmpty();
                break;
            }

            case "iam_token.response.json":
            {
                // The doc sample's token is cut with a literal "…": parsed, then refused as a bearer token rather than sent.
                var act = async () => await backend.ChatAsync(new ChatRequest("hi"), Token);
                var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
                error.Category.Should().Be(ErrorCategory.TransportError);
                error.ErrorType.Should().Be("malformed_response");
                error.Message.Should().Contain("access_token").And.NotContain("eyJraWQi");
                rig.Iam.Requests.Should().ContainSingle();
                rig.Service.Requests.Should().BeEmpty();
                break;
            }

            case "iam_token.request.form":
            {
                await backend.ChatAsync(new ChatRequest("hi"), Token);
                var iam = rig.Iam.LastRequest;
                FormFields(iam.BodyText).Should().Equal(FormFields(File.ReadAllText(Path.Combine(folder, name)).Trim()));
                iam.Header("Content-Type").Should().StartWith("application/x-www-form-urlencoded");
                iam.Path.Should().Be("/identity/token");
                break;
            }

            case "chat.request.json":
            {
                var fixture = Fixtures.Json(Provider, name);
                var request = new ChatRequest(
                    [
                        ChatMessage.System("You are a helpful assistant."),
                        ChatMessage.User("Who won the world series in 2020?"),
                        ChatMessage.Assistant("The Los Angeles Dodgers won the World Series in 2020."),
                        ChatMessage.User("Where was it played?"),
                    ],
                    new GenerationOptions { ModelId = "meta-llama/llama-3-8b-instruct", Temperature = 0, AdditionalProperties = new Dictionary<string, object?> { ["time_limit"] = 1000 } });
                await backend.ChatAsync(request, Token);
                var wire = rig.Service.LastRequest;
                foreach (var field in new[] { "model_id", "project_id", "temperature", "time_limit" })
                {
                    JsonElement.DeepEquals(wire.JsonProperty(field)!.Value, fixture.GetProperty(field)).Should().BeTrue(field);
                }

                for (var i = 0; i < 3; i++)
                {
                    JsonElement.DeepEquals(wire.JsonProperty("messages")!.Value[i], fixture.GetProperty("messages")[i]).Should().BeTrue();
                }

                wire.JsonProperty("messages")!.Value[3].GetProperty("content").GetString().Should().Be(fixture.GetProperty("messages")[3].GetProperty("content").GetProperty("text").GetString());
                wire.Query.Should().StartWith("?version=");
                break;
            }

            case "chat_tool_call.request.json":
            {
                var fixture = Fixtures.Json(Provider, name);
                var function = fixture.GetProperty("tools")[0].GetProperty("function");
                var tool = new ToolDefinition(function.GetProperty("name").GetString()!, function.GetProperty("description").GetString(), function.GetProperty("parameters").Clone());
                await backend.ChatAsync(new ChatRequest("What is the weather like in Boston today?", new GenerationOptions { ModelId = "meta-llama/llama-3-8b-instruct", Tools = [tool], ToolChoice = ToolChoice.Specific(tool.Name) }), Token);
                var wire = rig.Service.LastRequest;
                JsonElement.DeepEquals(wire.JsonProperty("tools")!.Value, fixture.GetProperty("tools")).Should().BeTrue(wire.BodyText);
                wire.JsonProperty("tool_choice")!.Value.GetProperty("type").GetString().Should().Be("function");
                wire.JsonProperty("tool_choice")!.Value.GetProperty("function").GetProperty("name").GetString().Should().Be("get_current_weather");
                wire.JsonProperty("project_id")!.Value.GetString().Should().Be(Project);
                break;
            }

            case "text_generation.request.json":
            {
                var fixture = Fixtures.Json(Provider, name);
                using var rigForProject = await Rig.StartAsync(project: "12ac4cf1-252f-424b-b52d-5cdd9814987f");
                rigForProject.Service.Enqueue(EmulatorScript.Text("Dear customer"));
                await rigForProject.Backend.CompleteRawAsync(new RawCompletionRequest([fixture.GetProperty("input").GetString()!], new GenerationOptions { ModelId = "google/flan-ul2", Temperature = 0.8, MaxOutputTokens = 30 }), Token);
                var wire = rigForProject.Service.LastRequest;
                foreach (var field in new[] { "model_id", "project_id", "input" })
                {
                    JsonElement.DeepEquals(wire.JsonProperty(field)!.Value, fixture.GetProperty(field)).Should().BeTrue(field);
                }

                var parameters = wire.JsonProperty("parameters")!.Value;
                parameters.GetProperty("temperature").GetDouble().Should().Be(0.8);
                parameters.GetProperty("max_new_tokens").GetInt32().Should().Be(30);
                parameters.GetProperty("decoding_method").GetString().Should().Be("sample", "a temperature only matters when sampling");
                break;
            }

            default:
                throw new InvalidOperationException($"The fixture {name} has no expectation: add one.");
        }
    }

    [Fact]
    public async Task Fifty_concurrent_calls_make_exactly_one_token_request()
    {
        await using var rig = await Rig.StartAsync(iamDelay: TimeSpan.FromMilliseconds(100));
        rig.Service.DefaultScript = EmulatorScript.Text("ok").WithUsage(3, 1);
        var calls = Enumerable.Range(0, 50).Select(i => Task.Run(async () => await rig.Backend.ChatAsync(new ChatRequest($"call {i}"), Token))).ToArray();
        var responses = await Task.WhenAll(calls);
        responses.Should().HaveCount(50).And.OnlyContain(r => r.Text == "ok");
        rig.Iam.Requests.Should().ContainSingle();
        rig.Backend.TokenExchangeCount.Should().Be(1);
        rig.Service.Requests.Should().HaveCount(50).And.OnlyContain(r => r.Header("Authorization") == "Bearer emulated-iam-token-1");
    }

    [Fact]
    public async Task A_token_that_expires_mid_run_is_refreshed_before_its_expiry()
    {
        var clock = new FakeTimeProvider();
        await using var rig = await Rig.StartAsync(time: clock);
        rig.Service.DefaultScript = EmulatorScript.Text("ok");
        await rig.Backend.ChatAsync(new ChatRequest("one"), Token);
        clock.Advance(TimeSpan.FromMinutes(50));
        await rig.Backend.ChatAsync(new ChatRequest("two"), Token);
        rig.Iam.Requests.Should().ContainSingle("the token is still fresh after 50 of its 60 minutes");

        // Inside the refresh margin (5 minutes before expiry): refreshed before it can be refused.
        clock.Advance(TimeSpan.FromMinutes(6));
        await rig.Backend.ChatAsync(new ChatRequest("three"), Token);
        rig.Iam.Requests.Should().HaveCount(2);
        rig.Service.Requests.Select(r => r.Header("Authorization")).Should().Equal(
            "Bearer emulated-iam-token-1", "Bearer emulated-iam-token-1", "Bearer emulated-iam-token-2");
    }

    [Fact]
    public async Task A_401_with_an_expired_token_is_refreshed_and_retried_once_and_a_second_401_fails_as_auth()
    {
        await using var rig = await Rig.StartAsync();
        var expired = () => EmulatorScript.Failing(EmulatorFault.Status(401, message: "Failed to authenticate the request due to an expired token", code: "authentication_token_expired"));
        rig.Service.Enqueue(expired(), EmulatorScript.Text("second try"));
        (await rig.Backend.ChatAsync(new ChatRequest("hi"), Token)).Text.Should().Be("second try");
        rig.Service.Requests.Select(r => r.Header("Authorization")).Should().Equal("Bearer emulated-iam-token-1", "Bearer emulated-iam-token-2");

        rig.Service.Enqueue(expired(), expired());
        var act = async () => await rig.Backend.ChatAsync(new ChatRequest("hi"), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.Auth);
        error.StatusCode.Should().Be(401);
        error.ProviderErrorCode.Should().Be("authentication_token_expired");
        error.IsRetryable.Should().BeFalse();
        rig.Service.Requests.Should().HaveCount(4, "one retry, not a loop");
        rig.Iam.Requests.Should().HaveCount(3);
        error.Message.Should().NotContain("emulated-iam-token").And.NotContain(Key);
        error.ToString().Should().NotContain("emulated-iam-token").And.NotContain(Key);

        // Streams and raw batches take the same path.
        rig.Service.Enqueue(expired(), EmulatorScript.Text("streamed"));
        Text(await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token))).Should().Be("streamed");
        rig.Service.Enqueue(expired(), EmulatorScript.Text("raw"));
        (await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token)).Completions[0].Text.Should().Be("raw");
    }

    [Fact]
    public async Task Concurrent_expired_token_refusals_share_one_refresh()
    {
        await using var rig = await Rig.StartAsync(iamDelay: TimeSpan.FromMilliseconds(50));
        rig.Service.DefaultScript = EmulatorScript.Text("ok");
        await rig.Backend.ChatAsync(new ChatRequest("warm"), Token);

        // From now on the service refuses the first token, as a real one does once it expired, whichever request carries it and
        // in whatever order the ten calls and their retries arrive.
        var expired = EmulatorScript.Failing(EmulatorFault.Status(401, code: "authentication_token_expired"));
        rig.Service.ScriptFor = request => request.Header("Authorization") == "Bearer emulated-iam-token-1" ? expired : null;

        var calls = Enumerable.Range(0, 10).Select(_ => Task.Run(async () => await rig.Backend.ChatAsync(new ChatRequest("hi"), Token))).ToArray();
        (await Task.WhenAll(calls)).Should().AllSatisfy(response => response.Text.Should().Be("ok"));
        rig.Iam.Requests.Should().HaveCount(2, "the refusals of the same token make one refresh");
        rig.Service.Requests.Skip(1).Count(r => r.Header("Authorization") == "Bearer emulated-iam-token-2").Should().Be(10, "each call ends with one request on the fresh token");
    }

    [Fact]
    public async Task The_key_and_tokens_never_appear_in_messages_or_to_string()
    {
        await using var rig = await Rig.StartAsync();
        rig.Iam.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(400, message: $"Provided API key {Key} could not be found.")));
        var act = async () => await rig.Backend.ChatAsync(new ChatRequest("hi"), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.Auth);
        error.Message.Should().NotContain(Key).And.Contain("[REDACTED]");
        error.ToString().Should().NotContain(Key);
        rig.Backend.ToString().Should().NotContain(Key);
        new WatsonxBackendOptions { ApiKey = Key }.ToString().Should().NotContain(Key);
    }

    [Fact]
    public async Task Every_call_carries_the_version_and_the_project_or_space()
    {
        await using var rig = await Rig.StartAsync(configure: o => o.ApiVersion = "2024-05-01");
        rig.Service.DefaultScript = EmulatorScript.Text("ok");
        await rig.Backend.ChatAsync(new ChatRequest("a"), Token);
        await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("b"), Token));
        await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["c", "d"]), Token);
        rig.Service.Requests.Select(r => r.Path).Should().BeEquivalentTo(["/ml/v1/text/chat", "/ml/v1/text/chat_stream", "/ml/v1/text/generation", "/ml/v1/text/generation"]);
        rig.Service.Requests.Should().OnlyContain(r => r.Query == "?version=2024-05-01" && r.JsonProperty("project_id")!.Value.GetString() == Project && !r.HasJsonProperty("space_id"));

        await using var space = await Rig.StartAsync(project: null, space: "space-9");
        space.Service.DefaultScript = EmulatorScript.Text("ok");
        await space.Backend.ChatAsync(new ChatRequest("a"), Token);
        await space.Backend.CompleteRawAsync(new RawCompletionRequest(["c"]), Token);
        space.Service.Requests.Should().OnlyContain(r => r.JsonProperty("space_id")!.Value.GetString() == "space-9" && !r.HasJsonProperty("project_id") && r.Query == "?version=" + WatsonxBackendOptions.DefaultApiVersion);
    }

    [Fact]
    public async Task Every_option_lands_on_its_watsonx_name_and_unset_ones_are_absent()
    {
        await using var rig = await Rig.StartAsync();
        rig.Service.DefaultScript = EmulatorScript.Text("ok");
        using var schema = JsonDocument.Parse("{\"type\":\"object\"}");
        var options = new GenerationOptions
        {
            ModelId = "ibm/granite-3-3-8b-instruct",
            MaxOutputTokens = 200,
            Temperature = 0.6,
            TopP = 0.85,
            TopK = 30,
            Seed = 99,
            StopSequences = ["\n\nUser:"],
            FrequencyPenalty = 0.5,
            PresencePenalty = 0.25,
            ChoiceCount = 2,
            ReasoningLevel = "low",
            ResponseFormat = ResponseFormat.ForJsonSchema("answer", schema.RootElement),
            Tools = [new ToolDefinition("sum", "Adds.", schema.RootElement)],
            ToolChoice = ToolChoice.Auto,
            AdditionalProperties = new Dictionary<string, object?> { ["time_limit"] = 5000, ["temperature"] = 1.5 },
        };
        await rig.Backend.ChatAsync(new ChatRequest("hi", options), Token);
        var chat = rig.Service.LastRequest;
        chat.JsonProperty("model_id")!.Value.GetString().Should().Be("ibm/granite-3-3-8b-instruct");
        chat.JsonProperty("max_completion_tokens")!.Value.GetInt32().Should().Be(200);
        chat.JsonProperty("temperature")!.Value.GetDouble().Should().Be(0.6);
        chat.JsonProperty("top_p")!.Value.GetDouble().Should().Be(0.85);
        chat.JsonProperty("seed")!.Value.GetInt64().Should().Be(99);
        chat.JsonProperty("stop")!.Value[0].GetString().Should().Be("\n\nUser:");
        chat.JsonProperty("frequency_penalty")!.Value.GetDouble().Should().Be(0.5);
        chat.JsonProperty("presence_penalty")!.Value.GetDouble().Should().Be(0.25);
        chat.JsonProperty("n")!.Value.GetInt32().Should().Be(2);
        chat.JsonProperty("reasoning_effort")!.Value.GetString().Should().Be("low");
        chat.JsonProperty("response_format")!.Value.GetProperty("type").GetString().Should().Be("json_schema");
        chat.JsonProperty("response_format")!.Value.GetProperty("json_schema").GetProperty("name").GetString().Should().Be("answer");
        chat.JsonProperty("tool_choice_option")!.Value.GetString().Should().Be("auto");
        chat.HasJsonProperty("tool_choice").Should().BeFalse();
        chat.JsonProperty("tools")!.Value[0].GetProperty("function").GetProperty("name").GetString().Should().Be("sum");
        chat.JsonProperty("time_limit")!.Value.GetInt32().Should().Be(5000);
        chat.HasJsonProperty("top_k").Should().BeFalse("chat has no top_k");

        await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["p"], options), Token);
        var parameters = rig.Service.LastRequest.JsonProperty("parameters")!.Value;
        parameters.GetProperty("max_new_tokens").GetInt32().Should().Be(200);
        parameters.GetProperty("temperature").GetDouble().Should().Be(0.6);
        parameters.GetProperty("top_p").GetDouble().Should().Be(0.85);
        parameters.GetProperty("top_k").GetInt32().Should().Be(30);
        parameters.GetProperty("random_seed").GetInt64().Should().Be(99);
        parameters.GetProperty("stop_sequences")[0].GetString().Should().Be("\n\nUser:");
        parameters.GetProperty("decoding_method").GetString().Should().Be("sample");
        parameters.GetProperty("time_limit").GetInt32().Should().Be(5000);

        await rig.Backend.ChatAsync(new ChatRequest("plain"), Token);
        var plain = rig.Service.LastRequest;
        foreach (var absent in new[] { "max_completion_tokens", "temperature", "top_p", "seed", "stop", "n", "tools", "tool_choice_option", "response_format", "reasoning_effort" })
        {
            plain.HasJsonProperty(absent).Should().BeFalse(absent);
        }

        await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["p"], new GenerationOptions { Temperature = 0 }), Token);
        rig.Service.LastRequest.JsonProperty("parameters")!.Value.GetProperty("decoding_method").GetString().Should().Be("greedy");
    }

    [Fact]
    public async Task A_stream_keeps_usage_and_matches_its_non_streamed_twin()
    {
        await using var rig = await Rig.StartAsync();
        EmulatorScript Script() => EmulatorScript.Text("Ro", "me").WithUsage(21, 2).WithIdentity("chatcmpl-twin", "ibm/granite");
        rig.Service.Enqueue(Script(), Script());
        var whole = await rig.Backend.ChatAsync(new ChatRequest("capital?"), Token);
        var updates = await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("capital?"), Token));
        Text(updates).Should().Be(whole.Text).And.Be("Rome");
        var streamed = Final(updates);
        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed));
        streamed.Usage!.InputTokens.Should().Be(21, "Python Mellea loses stream usage; this backend keeps the choices:[] chunk's");
        streamed.ResponseId.Should().Be("chatcmpl-twin");
    }

    [Fact]
    public async Task Time_limit_is_length_with_the_raw_value_kept_and_tool_calls_on_stop_are_tool_call()
    {
        await using var rig = await Rig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Text("partial").WithFinishReason("time_limit").WithUsage(5, 5), EmulatorScript.Text("cut").WithFinishReason("length").WithUsage(5, 5));
        var chat = await rig.Backend.ChatAsync(new ChatRequest("hi"), Token);
        chat.Metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.Length, "time_limit"));
        ((string[])chat.Metadata.ProviderExtras![WatsonxExtras.RawFinishReasons]!).Should().Equal("time_limit");
        var raw = await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token);
        raw.Metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.Length, "max_tokens"));

        rig.Service.Enqueue(EmulatorScript.ToolCall("call_9", "sum", "{\"a\":1}"));
        var tool = await rig.Backend.ChatAsync(new ChatRequest("sum"), Token);
        tool.Metadata.FinishReasons.Should().Equal(new FinishReason(FinishReasonKind.ToolCall, "stop"));
    }

    [Fact]
    public async Task A_raw_batch_is_one_request_per_prompt_in_prompt_order_and_fails_as_one()
    {
        await using var rig = await Rig.StartAsync(watsonx: new WatsonxWireFormat { EchoPrompts = true }, configure: o => o.MaxConcurrency = 4);
        rig.Service.DefaultScript = EmulatorScript.Text("unused").WithUsage(10, 3);
        var prompts = Enumerable.Range(0, 9).Select(i => $"question {i}").ToArray();
        var response = await rig.Backend.CompleteRawAsync(new RawCompletionRequest(prompts), Token);
        response.Completions.Select(c => c.Text).Should().Equal(prompts.Select(p => "echo: " + p));
        response.Metadata.Usage!.InputTokens.Should().Be(90);
        response.Metadata.Usage.OutputTokens.Should().Be(27);
        rig.Iam.Requests.Should().ContainSingle();

        rig.Service.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(4))));
        rig.Service.DefaultScript = EmulatorScript.Text("slow").WithFirstByteDelay(TimeSpan.FromSeconds(30));
        var act = async () => await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["a", "b", "c"]), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.RateLimit);
        error.RetryAfter.Should().Be(TimeSpan.FromSeconds(4));
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
    public async Task Error_statuses_map_to_category_retryability_code_and_trace(int status, ErrorCategory category, bool retryable)
    {
        await using var rig = await Rig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(status, retryAfter: status == 429 ? TimeSpan.FromSeconds(2) : null, message: $"bad {Key}")));
        var act = async () => await rig.Backend.ChatAsync(new ChatRequest("hi"), Token);
        var error = (await act.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(category);
        error.StatusCode.Should().Be(status);
        error.IsRetryable.Should().Be(retryable);
        error.ProviderName.Should().Be("ibm.watsonx.ai");
        error.ProviderErrorCode.Should().NotBeNullOrEmpty("the errors[] code is parsed");
        error.ProviderRequestId.Should().Be($"emulated-trace-{status}", "the trace id is the request id");
        error.RetryAfter.Should().Be(status == 429 ? TimeSpan.FromSeconds(2) : null);
        error.Message.Should().NotContain(Key);
        error.ToString().Should().NotContain(Key).And.NotContain("emulated-iam-token");
    }

    [Fact]
    public async Task A_malformed_body_a_dropped_connection_and_an_error_event_mid_stream_are_generation_exceptions()
    {
        await using var rig = await Rig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        var malformed = async () => await rig.Backend.ChatAsync(new ChatRequest("hi"), Token);
        var malformedError = (await malformed.Should().ThrowAsync<GenerationException>()).Which;
        malformedError.Category.Should().Be(ErrorCategory.TransportError);
        malformedError.IsRetryable.Should().BeFalse();

        rig.Service.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        var malformedRaw = async () => await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token);
        (await malformedRaw.Should().ThrowAsync<GenerationException>()).Which.ErrorType.Should().Be("malformed_response");

        rig.Service.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.DropConnection(afterChunks: 2)));
        var dropped = async () => await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var droppedError = (await dropped.Should().ThrowAsync<GenerationException>()).Which;
        droppedError.Category.Should().Be(ErrorCategory.TransportError);
        droppedError.IsRetryable.Should().BeTrue();

        rig.Service.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, message: "model crashed")));
        var midStream = async () => await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var midStreamError = (await midStream.Should().ThrowAsync<GenerationException>()).Which;
        midStreamError.Category.Should().Be(ErrorCategory.ServerError);
        midStreamError.Message.Should().Contain("model crashed");
        midStreamError.ProviderRequestId.Should().Be("emulated-trace-500");
    }

    [Fact]
    public async Task Missing_configuration_fails_before_any_request_naming_the_setting()
    {
        await using var rig = await Rig.StartAsync();
        using var client = new HttpClient();
        var iamUrl = WatsonxIamWireFormat.TokenUrl(rig.Iam);
        WatsonxBackend Make(params (string, string?)[] variables) =>
            new(client, new WatsonxBackendOptions { Model = "m" }, Environment([("WATSONX_IAM_URL", iamUrl), .. variables]));

        var noUrl = async () => await Make(("WATSONX_API_KEY", Key), ("WATSONX_PROJECT_ID", Project)).ChatAsync(new ChatRequest("hi"), Token);
        (await noUrl.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("WATSONX_URL");
        var badUrl = async () => await Make(("WATSONX_URL", "ftp://x"), ("WATSONX_API_KEY", Key), ("WATSONX_PROJECT_ID", Project)).ChatAsync(new ChatRequest("hi"), Token);
        (await badUrl.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("WATSONX_URL");
        var noScope = async () => await Make(("WATSONX_URL", rig.Service.BaseAddress.AbsoluteUri), ("WATSONX_API_KEY", Key)).ChatAsync(new ChatRequest("hi"), Token);
        (await noScope.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("WATSONX_PROJECT_ID");
        var noKey = async () => await Make(("WATSONX_URL", rig.Service.BaseAddress.AbsoluteUri), ("WATSONX_PROJECT_ID", Project)).ChatAsync(new ChatRequest("hi"), Token);
        (await noKey.Should().ThrowAsync<GenerationException>()).Which.Message.Should().Contain("WATSONX_API_KEY");
        var badInput = async () => await rig.Backend.ChatAsync(new ChatRequest("hi", new GenerationOptions { TopP = 2 }), Token);
        (await badInput.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("Options.TopP");
        rig.Iam.Requests.Should().BeEmpty();
        rig.Service.Requests.Should().BeEmpty();
        Make().Info.ProviderName.Should().Be("ibm.watsonx.ai", "nothing throws at construction");
    }

    [Fact]
    public async Task Configuration_picks_watsonx_by_name_with_keys_from_its_section()
    {
        await using var rig = await Rig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Text("configured"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "watsonx",
            ["Mellea:Model"] = "ibm/granite-3-3-8b-instruct",
            ["Mellea:BaseUrl"] = rig.Service.BaseAddress.AbsoluteUri,
            ["Mellea:Watsonx:ApiKey"] = "configured-key",
            ["Mellea:Watsonx:SpaceId"] = "space-from-config",
            ["Mellea:Watsonx:IamUrl"] = WatsonxIamWireFormat.TokenUrl(rig.Iam),
        }).Build();
        var services = new ServiceCollection();
        services.AddMelleaWatsonx();
        services.AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();
        var handler = provider.GetRequiredService<IGenerationHandler>();
        handler.Info.ProviderName.Should().Be("ibm.watsonx.ai");
        (await handler.ChatAsync(new ChatRequest("hi"), Token)).Text.Should().Be("configured");
        rig.Iam.LastRequest.BodyText.Should().Contain("apikey=configured-key");
        rig.Service.LastRequest.JsonProperty("space_id")!.Value.GetString().Should().Be("space-from-config");
    }

    private static List<KeyValuePair<string, string>> FormFields(string form) =>
        [.. form.Split('&').Select(pair => pair.Split('=', 2)).Select(kv => KeyValuePair.Create(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv[1])))];

    private static void AssertMetadata(GenerationMetadata metadata, string id, string model, FinishReason[] finishes, long input, long output, long total)
    {
        metadata.ProviderName.Should().Be("ibm.watsonx.ai");
        metadata.ResponseId.Should().Be(id);
        metadata.ResponseModel.Should().Be(model);
        metadata.FinishReasons.Should().Equal(finishes);
        metadata.Usage!.InputTokens.Should().Be(input);
        metadata.Usage.OutputTokens.Should().Be(output);
        metadata.Usage.TotalTokens.Should().Be(total);
    }

    private static void AssertRaw(RawCompletionResponse response, string model, FinishReason finish, long input, long output)
    {
        response.Completions.Should().ContainSingle().Which.FinishReason.Should().Be(finish);
        response.Metadata.FinishReasons.Should().Equal(finish);
        response.Metadata.ResponseModel.Should().Be(model);
        response.Metadata.Usage!.InputTokens.Should().Be(input);
        response.Metadata.Usage.OutputTokens.Should().Be(output);
        response.Completions[0].Usage!.OutputTokens.Should().Be(output);
    }

    /// <summary>A watsonx.ai emulator, an IAM emulator of its own (so token requests never take the service's scripts), and a backend wired to both.</summary>
    private sealed class Rig : IAsyncDisposable, IDisposable
    {
        private Rig(ProviderEmulator service, ProviderEmulator iam, HttpClient client, WatsonxBackend backend)
        {
            Service = service;
            Iam = iam;
            Client = client;
            Backend = backend;
        }

        public ProviderEmulator Service { get; }

        public ProviderEmulator Iam { get; }

        public HttpClient Client { get; }

        public WatsonxBackend Backend { get; }

        public static async Task<Rig> StartAsync(
            FakeTimeProvider? time = null,
            TimeSpan? iamDelay = null,
            string key = Key,
            string? project = Project,
            string? space = null,
            WatsonxWireFormat? watsonx = null,
            Action<WatsonxBackendOptions>? configure = null)
        {
            var service = await ProviderEmulator.StartAsync(watsonx ?? new WatsonxWireFormat());
            var iam = await ProviderEmulator.StartAsync(new WatsonxIamWireFormat(time));
            iam.DefaultScript = new EmulatorScript { FirstByteDelay = iamDelay ?? TimeSpan.Zero };
            var client = new HttpClient();
            var options = new WatsonxBackendOptions { Model = "ibm/granite-3-3-8b-instruct", TimeProvider = time };
            configure?.Invoke(options);
            var backend = new WatsonxBackend(client, options, Environment(
                ("WATSONX_URL", service.BaseAddress.AbsoluteUri),
                ("WATSONX_API_KEY", key),
                ("WATSONX_PROJECT_ID", project),
                ("WATSONX_SPACE_ID", space),
                ("WATSONX_IAM_URL", WatsonxIamWireFormat.TokenUrl(iam))));
            return new Rig(service, iam, client, backend);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Service.DisposeAsync();
            await Iam.DisposeAsync();
        }

        public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
