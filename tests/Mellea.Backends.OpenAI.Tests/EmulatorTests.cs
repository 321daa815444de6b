using System.Net;
using System.Text;
using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>The emulator's own behaviours, seen by a plain HttpClient.</summary>
public sealed class EmulatorTests
{
    private static readonly string ChatBody = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";
    private static readonly string StreamBody = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""";

    [Fact]
    public async Task Text_script_answers_a_whole_chat_completion_with_the_joined_chunks_and_usage()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo").WithUsage(11, 9, cachedInputTokens: 3, reasoningOutputTokens: 4).WithIdentity("chatcmpl-1", "gpt-test-2024"));
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var root = json.RootElement;
        root.GetProperty("id").GetString().Should().Be("chatcmpl-1");
        root.GetProperty("model").GetString().Should().Be("gpt-test-2024");
        root.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().Should().Be("Hello");
        root.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("stop");
        var usage = root.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(11);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(20);
        usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32().Should().Be(3);
        usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Streamed_chunks_arrive_as_sse_events_with_delay_a_usage_chunk_and_done()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithUsage(1, 3).WithChunkDelay(TimeSpan.FromMilliseconds(1)));
        using var client = new HttpClient();

        var events = await ReadEventsAsync(client, emulator, StreamBody);

        response_type_is_event_stream(events.ContentType);
        var data = events.Data;
        data[^1].Should().Be("[DONE]");
        var contents = data.Where(d => d.Contains("\"content\":\"", StringComparison.Ordinal) && !d.Contains("\"content\":\"\"", StringComparison.Ordinal)).ToList();
        contents.Should().HaveCount(3);
        contents[0].Should().Contain("\"content\":\"a\"");
        contents[2].Should().Contain("\"content\":\"c\"");
        data[^2].Should().Contain("\"choices\":[]").And.Contain("\"completion_tokens\":3");
        data.Should().Contain(d => d.Contains("\"finish_reason\":\"stop\"", StringComparison.Ordinal));

        static void response_type_is_event_stream(string? type) => type.Should().StartWith("text/event-stream");
    }

    [Fact]
    public async Task Usage_chunk_is_only_sent_when_the_request_asks_for_it()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("a").WithUsage(1, 1));
        using var client = new HttpClient();

        var events = await ReadEventsAsync(client, emulator, """{"model":"m","messages":[],"stream":true}""");

        events.Data.Should().NotContain(d => d.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tool_call_streams_id_and_name_first_then_argument_fragments()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.ToolCall("call_1", "get_weather", "{\"city\":", "\"Paris\"}"));
        using var client = new HttpClient();

        var data = (await ReadEventsAsync(client, emulator, StreamBody)).Data;

        var toolDeltas = data.Where(d => d.Contains("\"tool_calls\":[", StringComparison.Ordinal)).ToList();
        toolDeltas.Should().HaveCount(3);
        toolDeltas[0].Should().Contain("\"id\":\"call_1\"").And.Contain("\"name\":\"get_weather\"");
        toolDeltas[1].Should().Contain("\"arguments\":\"{\\u0022city\\u0022:\"").And.NotContain("\"id\":\"call_1\"");
        data.Should().Contain(d => d.Contains("\"finish_reason\":\"tool_calls\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_fault_sends_the_status_the_error_body_and_retry_after()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(429, TimeSpan.FromSeconds(7))));
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        json.RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("rate_limit_exceeded");
    }

    [Fact]
    public async Task Malformed_json_fault_sends_a_body_that_does_not_parse()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var parse = () => JsonDocument.Parse(body);
        parse.Should().Throw<JsonException>();
    }

    [Fact]
    public async Task Drop_connection_fault_cuts_the_stream_after_the_given_chunks()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("one", "two", "three").WithFault(EmulatorFault.DropConnection(afterChunks: 2)));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseAddress, "v1/chat/completions")) { Content = new StringContent(StreamBody, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var received = new StringBuilder();

        var readAll = async () =>
        {
            while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
            {
                received.AppendLine(line);
            }
        };

        await readAll.Should().ThrowAsync<IOException>();
        received.ToString().Should().Contain("\"role\":\"assistant\"").And.Contain("\"content\":\"one\"").And.NotContain("\"two\"").And.NotContain("[DONE]");
    }

    [Fact]
    public async Task Slow_first_byte_holds_the_headers_back_and_a_short_client_timeout_fires()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        emulator.ScriptFor = _ =>
        {
            received.TrySetResult();
            return EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(30));
        };
        using var client = new HttpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var content = new StringContent(ChatBody, Encoding.UTF8, "application/json");

        var send = client.PostAsync(new Uri(emulator.BaseAddress, "v1/chat/completions"), content, timeout.Token);

        // The client's timeout starts once the emulator holds the request (a timeout that started with the send could fire
        // before a busy machine's emulator had read it): whenever it fires, no header has come back.
        await received.Task.WaitAsync(TestContext.Current.CancellationToken);
        send.IsCompleted.Should().BeFalse("the emulator holds the headers back until its first byte");
        timeout.CancelAfter(TimeSpan.FromMilliseconds(100));
        await send.Invoking(s => s).Should().ThrowAsync<TaskCanceledException>();
        emulator.Requests.Should().ContainSingle().Which.Path.Should().Be("/v1/chat/completions");
        await emulator.WhenNoActiveRequestsAsync().WaitAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Slow_first_byte_still_delivers_the_answer()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromMilliseconds(5)));
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);

        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Contain("\"content\":\"late\"");
    }

    [Fact]
    public async Task Error_event_fault_sends_chunks_then_an_error_payload_with_status_200()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("a", "b", "c").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, message: "boom")));
        using var client = new HttpClient();

        var events = await ReadEventsAsync(client, emulator, StreamBody);

        events.Status.Should().Be(HttpStatusCode.OK);
        events.Data.Should().HaveCount(3);
        events.Data[^1].Should().StartWith("{\"error\":").And.Contain("boom");
    }

    [Fact]
    public async Task A_script_chosen_from_the_request_answers_before_the_queue_and_null_leaves_the_queue_in_order()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("first"), EmulatorScript.Text("second"));
        emulator.DefaultScript = EmulatorScript.Text("default");
        emulator.ScriptFor = request => request.Header("X-Refuse") is not null ? EmulatorScript.Failing(EmulatorFault.Status(403)) : null;
        using var client = new HttpClient();
        using var refused = new HttpClient();
        refused.DefaultRequestHeaders.Add("X-Refuse", "yes");

        var answers = new List<string>();
        foreach (var sender in new[] { refused, client, refused, client, client })
        {
            using var response = await PostAsync(sender, emulator, "v1/chat/completions", ChatBody);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            answers.Add(response.IsSuccessStatusCode ? json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()! : $"{(int)response.StatusCode}");
        }

        answers.Should().Equal("403", "first", "403", "second", "default");
    }

    [Fact]
    public async Task Without_keeping_requests_the_history_stays_empty_and_ScriptFor_still_sees_each_request()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.KeepsRequests = false;
        emulator.DefaultScript = EmulatorScript.Text("default");
        var seen = new List<string>();
        emulator.ScriptFor = request =>
        {
            lock (seen)
            {
                seen.Add(request.Path);
            }

            return null;
        };
        using var client = new HttpClient();

        using (var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody))
        {
            response.IsSuccessStatusCode.Should().BeTrue();
        }

        seen.Should().Equal("/v1/chat/completions");
        emulator.Requests.Should().BeEmpty();
        emulator.Invoking(e => e.LastRequest).Should().Throw<InvalidOperationException>();

        emulator.KeepsRequests = true;
        using (await PostAsync(client, emulator, "v1/chat/completions", ChatBody))
        {
        }

        emulator.Requests.Should().ContainSingle().Which.Path.Should().Be("/v1/chat/completions");
    }

    [Fact]
    public async Task Every_request_is_recorded_with_method_path_headers_and_json_body()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add("X-Custom", "42");

        using (await PostAsync(client, emulator, "v1/chat/completions", ChatBody))
        using (await PostAsync(client, emulator, "v1/completions", """{"model":"m","prompt":["a","b"]}"""))
        {
        }

        emulator.Requests.Should().HaveCount(2);
        var first = emulator.Requests[0];
        first.Method.Should().Be("POST");
        first.Path.Should().Be("/v1/chat/completions");
        first.Header("x-custom").Should().Be("42");
        first.JsonProperty("model")!.Value.GetString().Should().Be("gpt-test");
        emulator.LastRequest.Path.Should().Be("/v1/completions");
    }

    [Fact]
    public async Task Scripts_answer_in_queue_order_and_an_empty_queue_without_default_is_a_500()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("first"), EmulatorScript.Text("second"));
        using var client = new HttpClient();

        var first = await ReadBodyAsync(client, emulator, ChatBody);
        var second = await ReadBodyAsync(client, emulator, ChatBody);
        using var third = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);

        first.Should().Contain("\"first\"");
        second.Should().Contain("\"second\"");
        third.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Multiple_choices_interleave_in_a_stream_and_raw_batches_get_one_choice_per_prompt()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices("x", "y"), EmulatorScript.MultipleChoices("p0", "p1", "p2").With(s => s.ReverseChoiceOrder = true));
        using var client = new HttpClient();

        var stream = (await ReadEventsAsync(client, emulator, """{"model":"m","messages":[],"stream":true,"n":2}""")).Data;
        using var batch = await PostAsync(client, emulator, "v1/completions", """{"model":"m","prompt":["a","b","c"]}""");
        using var json = JsonDocument.Parse(await batch.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var indexes = stream.Where(d => d.Contains("\"content\":\"", StringComparison.Ordinal) && !d.Contains("\"content\":\"\"", StringComparison.Ordinal))
            .Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices")[0].GetProperty("index").GetInt32()).ToList();
        indexes.Should().Equal(0, 1);
        var choices = json.RootElement.GetProperty("choices").EnumerateArray().ToList();
        choices.Select(c => c.GetProperty("index").GetInt32()).Should().Equal(2, 1, 0);
        choices.Select(c => c.GetProperty("text").GetString()).Should().Equal("p2", "p1", "p0");
        json.RootElement.GetProperty("object").GetString().Should().Be("text_completion");
    }

    [Fact]
    public async Task A_fixture_stream_is_replayed_byte_for_byte()
    {
        var path = Fixtures.File("openai", "chat_stream_tool_call.sse");
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.FromFixture(path).WithChunkDelay(TimeSpan.FromMilliseconds(1)));
        using var client = new HttpClient();

        var body = await ReadBodyAsync(client, emulator, StreamBody);

        body.Should().Be(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_fixture_error_takes_its_status_from_the_name_and_headers_from_its_recording()
    {
        var path = Fixtures.File("openai", "error_401_invalid_api_key.json");
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.FromFixture(path));
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "v1/chat/completions", ChatBody);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.GetValues("X-Request-ID").Should().Equal("Sanitized");
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Should().Be(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task LiteLlm_format_adds_its_headers_and_writes_string_codes_and_None_types()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat { AttemptedRetries = 2 });
        emulator.Enqueue(EmulatorScript.Text("ok"), EmulatorScript.Failing(EmulatorFault.Status(403)));
        using var client = new HttpClient();

        using var ok = await PostAsync(client, emulator, "chat/completions", ChatBody);
        using var denied = await PostAsync(client, emulator, "chat/completions", ChatBody);
        using var json = JsonDocument.Parse(await denied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        ok.Headers.GetValues("x-litellm-response-cost").Should().Equal("2.85E-05");
        ok.Headers.GetValues("x-litellm-attempted-retries").Should().Equal("2");
        var error = json.RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("403");
        error.GetProperty("type").GetString().Should().Be("None");
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_and_is_still_recorded()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        using var client = new HttpClient();

        using var response = await PostAsync(client, emulator, "api/unknown", "{}");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        emulator.LastRequest.Path.Should().Be("/api/unknown");
    }

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, ProviderEmulator emulator, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri(emulator.BaseAddress, path), content, TestContext.Current.CancellationToken);
    }

    private static async Task<string> ReadBodyAsync(HttpClient client, ProviderEmulator emulator, string body)
    {
        using var response = await PostAsync(client, emulator, "v1/chat/completions", body);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, List<string> Data)> ReadEventsAsync(HttpClient client, ProviderEmulator emulator, string body)
    {
        using var response = await PostAsync(client, emulator, "v1/chat/completions", body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var data = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e[6..] : e).ToList();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, data);
    }
}

internal static class ScriptExtensions
{
    public static EmulatorScript With(this EmulatorScript script, Action<EmulatorScript> change)
    {
        change(script);
        return script;
    }
}
