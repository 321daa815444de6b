using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mellea.Testing;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

/// <summary>The new wire formats on their own, over raw HTTP: what a user of Mellea.Testing sees without a Mellea backend.</summary>
public sealed class EmulatorFormatTests
{
    [Fact]
    public async Task Ollama_streams_ndjson_by_default_and_answers_whole_when_stream_is_false()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Text("a", "b").WithUsage(3, 2), EmulatorScript.Text("whole").WithUsage(3, 1));
        using var client = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var streamed = await client.PostAsJsonAsync("api/chat", new { model = "m", messages = Array.Empty<object>() }, Token);
        streamed.Content.Headers.ContentType!.MediaType.Should().Be("application/x-ndjson");
        var lines = (await streamed.Content.ReadAsStringAsync(Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        var last = JsonDocument.Parse(lines[^1]).RootElement;
        last.GetProperty("done").GetBoolean().Should().BeTrue();
        last.GetProperty("eval_count").GetInt32().Should().Be(2);
        last.GetProperty("total_duration").GetInt64().Should().Be(OllamaWireFormat.TotalDurationNs);

        using var whole = await client.PostAsJsonAsync("api/generate", new { model = "m", prompt = "p", stream = false }, Token);
        var body = JsonDocument.Parse(await whole.Content.ReadAsStringAsync(Token)).RootElement;
        body.GetProperty("response").GetString().Should().Be("whole");
        body.GetProperty("done_reason").GetString().Should().Be("stop");
        body.TryGetProperty("id", out _).Should().BeFalse("Ollama has no response id");
    }

    [Fact]
    public async Task Ollama_error_status_and_error_line_use_the_native_shape()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(
            EmulatorScript.Failing(EmulatorFault.Status(404)),
            EmulatorScript.Text("a", "b").WithFault(EmulatorFault.ErrorEvent(afterChunks: 1, message: "boom")));
        using var client = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var missing = await client.PostAsJsonAsync("api/chat", new { model = "llama9" }, Token);
        ((int)missing.StatusCode).Should().Be(404);
        (await missing.Content.ReadAsStringAsync(Token)).Should().Be("{\"error\":\"model \\u0022llama9\\u0022 not found, try pulling it first\"}");
        using var midStream = await client.PostAsJsonAsync("api/chat", new { model = "m" }, Token);
        var lines = (await midStream.Content.ReadAsStringAsync(Token)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[^1].Should().Be("{\"error\":\"boom\"}");
    }

    [Fact]
    public async Task Tgi_generate_stream_writes_data_without_a_space_and_no_done_marker()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(EmulatorScript.Text("x", "y").WithUsage(4, 2).WithFinishReason("length"), EmulatorScript.Text("z").WithUsage(4, 1));
        using var client = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var stream = await client.PostAsJsonAsync("generate_stream", new { inputs = "p" }, Token);
        var text = await stream.Content.ReadAsStringAsync(Token);
        text.Should().StartWith("data:{").And.NotContain("[DONE]");
        var last = JsonDocument.Parse(text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1]["data:".Length..]).RootElement;
        last.GetProperty("details").GetProperty("finish_reason").GetString().Should().Be("length");
        last.GetProperty("details").GetProperty("input_length").GetInt32().Should().Be(4);

        using var whole = await client.PostAsJsonAsync("generate", new { inputs = "p" }, Token);
        whole.Headers.GetValues("x-prompt-tokens").Single().Should().Be("4");
        JsonDocument.Parse(await whole.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("details").GetProperty("finish_reason").GetString().Should().Be("eos_token");
    }

    [Fact]
    public async Task Watsonx_generation_stream_has_input_tokens_first_and_cumulative_output_and_errors_have_errors_and_trace()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new WatsonxWireFormat());
        emulator.Enqueue(EmulatorScript.Text("To", "day").WithUsage(68, 7), EmulatorScript.Failing(EmulatorFault.Status(404)));
        using var client = new HttpClient { BaseAddress = emulator.BaseAddress };
        using var stream = await client.PostAsJsonAsync("ml/v1/text/generation_stream?version=2025-12-02", new { model_id = "m", input = "p" }, Token);
        var events = (await stream.Content.ReadAsStringAsync(Token)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events.Should().HaveCount(3).And.OnlyContain(e => e.StartsWith("id: ", StringComparison.Ordinal) && e.Contains("\nevent: message\ndata: ", StringComparison.Ordinal));
        var results = events.Select(e => JsonDocument.Parse(e[(e.IndexOf("data: ", StringComparison.Ordinal) + 6)..]).RootElement.GetProperty("results")[0]).ToList();
        results.Select(r => r.GetProperty("input_token_count").GetInt32()).Should().Equal(68, 0, 0);
        results.Select(r => r.GetProperty("generated_token_count").GetInt32()).Should().Equal(0, 1, 7);
        results.Select(r => r.GetProperty("stop_reason").GetString()).Should().Equal("not_finished", "not_finished", "eos_token");

        using var error = await client.PostAsJsonAsync("ml/v1/text/chat", new { model_id = "m" }, Token);
        var body = JsonDocument.Parse(await error.Content.ReadAsStringAsync(Token)).RootElement;
        body.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be("model_not_supported");
        body.GetProperty("trace").GetString().Should().Be("emulated-trace-404");
        body.GetProperty("status_code").GetInt32().Should().Be(404);
    }

    [Fact]
    public async Task Iam_issues_a_new_token_per_request_with_expiry_on_the_given_clock_and_fails_in_its_own_shape()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var format = new WatsonxIamWireFormat(clock, TimeSpan.FromMinutes(20));
        await using var emulator = await ProviderEmulator.StartAsync(format);
        emulator.DefaultScript = new EmulatorScript();
        using var client = new HttpClient();
        using var form = new StringContent("grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=k", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var first = await client.PostAsync(WatsonxIamWireFormat.TokenUrl(emulator), form, Token);
        var token = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Token)).RootElement;
        token.GetProperty("access_token").GetString().Should().Be("emulated-iam-token-1");
        token.GetProperty("expires_in").GetInt32().Should().Be(1200);
        token.GetProperty("expiration").GetInt64().Should().Be(clock.GetUtcNow().AddMinutes(20).ToUnixTimeSeconds());
        format.IssuedTokens.Should().Equal("emulated-iam-token-1");

        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(400)));
        using var refused = await client.PostAsync(WatsonxIamWireFormat.TokenUrl(emulator), new StringContent("apikey=bad"), Token);
        ((int)refused.StatusCode).Should().Be(400);
        JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Token)).RootElement.GetProperty("errorCode").GetString().Should().Be("BXNIM0415E");
    }
}
