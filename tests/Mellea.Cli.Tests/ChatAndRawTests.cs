using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Cli.Tests;

/// <summary>chat and raw in-process against the emulator: the wire request, the plain and JSON output.</summary>
public sealed class ChatAndRawTests
{
    private static Dictionary<string, string?> OpenAIKey() => new() { ["OPENAI_API_KEY"] = "sk-test-key" };

    [Fact]
    public async Task Chat_sends_every_generation_option_and_prints_the_answer()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("Bon", "jour").WithUsage(5, 2));

        var result = await CliRun.InProcessAsync(
            OpenAIKey(),
            "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--model", "gpt-test",
            "--system", "Be brief.", "--temperature", "0.25", "--top-p", "0.9", "--max-tokens", "40",
            "--stop", "END", "--stop", "STOP", "--seed", "7", "--conversation-id", "conv-1", "Say", "hello");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("Bonjour\n");
        result.StandardError.Should().BeEmpty();
        var request = emulator.LastRequest;
        request.Path.Should().Be("/v1/chat/completions");
        request.JsonProperty("model")!.Value.GetString().Should().Be("gpt-test");
        request.JsonProperty("temperature")!.Value.GetDouble().Should().Be(0.25);
        request.JsonProperty("top_p")!.Value.GetDouble().Should().Be(0.9);
        request.JsonProperty("max_completion_tokens")!.Value.GetInt32().Should().Be(40);
        request.JsonProperty("seed")!.Value.GetInt64().Should().Be(7);
        request.JsonProperty("stop")!.Value.EnumerateArray().Select(stop => stop.GetString()).Should().Equal("END", "STOP");
        var messages = request.JsonProperty("messages")!.Value.EnumerateArray().ToList();
        messages.Select(message => message.GetProperty("role").GetString()).Should().Equal("system", "user");
        messages[1].GetProperty("content").GetString().Should().Be("Say hello", "the prompt's words are joined with spaces");
        request.Header("Authorization").Should().Be("Bearer sk-test-key");
    }

    [Fact]
    public async Task Chat_stream_prints_the_tokens_and_asks_for_a_stream()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("one ", "two ", "three").WithUsage(3, 3));

        var result = await CliRun.InProcessAsync(OpenAIKey(), "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--stream", "count");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("one two three\n");
        emulator.LastRequest.AsksForStream.Should().BeTrue();
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("gpt-4o-mini", "openai's default model applies when none is given");
    }

    [Fact]
    public async Task Chat_json_prints_text_finish_reasons_usage_response_model_and_id()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("Hi").WithUsage(11, 2).WithIdentity("chatcmpl-42", "gpt-test-2025"));

        var result = await CliRun.InProcessAsync(OpenAIKey(), "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--json", "hello");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var root = document.RootElement;
        root.GetProperty("text").GetString().Should().Be("Hi");
        root.GetProperty("finish_reasons").EnumerateArray().Select(reason => reason.GetString()).Should().Equal("stop");
        root.GetProperty("usage").GetProperty("input_tokens").GetInt64().Should().Be(11);
        root.GetProperty("usage").GetProperty("output_tokens").GetInt64().Should().Be(2);
        root.GetProperty("usage").GetProperty("total_tokens").GetInt64().Should().Be(13);
        root.GetProperty("response_model").GetString().Should().Be("gpt-test-2025");
        root.GetProperty("response_id").GetString().Should().Be("chatcmpl-42");
    }

    [Fact]
    public async Task Chat_stream_json_assembles_the_same_document()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("a", "b").WithUsage(4, 2).WithIdentity("chatcmpl-s", "gpt-s"));

        var result = await CliRun.InProcessAsync(OpenAIKey(), "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--stream", "--json", "x");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        document.RootElement.GetProperty("text").GetString().Should().Be("ab");
        document.RootElement.GetProperty("response_id").GetString().Should().Be("chatcmpl-s");
        document.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Raw_prints_one_result_per_prompt_in_order()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices(" 2", " 4", " 6").WithUsage(9, 3));

        var result = await CliRun.InProcessAsync(OpenAIKey(), "raw", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "1+1=", "2+2=", "3+3=");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be(" 2\n 4\n 6\n");
        emulator.LastRequest.Path.Should().Be("/v1/completions");
        emulator.LastRequest.JsonProperty("prompt")!.Value.EnumerateArray().Select(prompt => prompt.GetString()).Should().Equal("1+1=", "2+2=", "3+3=");
    }

    [Fact]
    public async Task Raw_json_has_one_entry_per_prompt_and_the_total_usage()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices("x", "y").WithUsage(8, 2).WithIdentity("cmpl-1", "gpt-raw"));

        var result = await CliRun.InProcessAsync(OpenAIKey(), "raw", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--json", "p0", "p1");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        results.Select(entry => entry.GetProperty("prompt_index").GetInt32()).Should().Equal(0, 1);
        results.Select(entry => entry.GetProperty("text").GetString()).Should().Equal("x", "y");
        results.Should().AllSatisfy(entry =>
        {
            entry.GetProperty("finish_reasons").EnumerateArray().Select(reason => reason.GetString()).Should().Equal("stop");
            entry.GetProperty("response_model").GetString().Should().Be("gpt-raw");
            entry.GetProperty("response_id").GetString().Should().Be("cmpl-1");
        });
        document.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt64().Should().Be(8);
        document.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64().Should().Be(10);
    }
}
