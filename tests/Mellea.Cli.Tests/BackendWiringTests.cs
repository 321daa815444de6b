using Mellea.Testing;

namespace Mellea.Cli.Tests;

/// <summary>Every --backend reaches its provider's wire format with the settings the CLI resolved (in-process, against the emulator).</summary>
public sealed class BackendWiringTests
{
    [Fact]
    public async Task Ollama_is_the_default_backend_and_speaks_the_native_api()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new OllamaWireFormat());
        emulator.Enqueue(EmulatorScript.Text("from ", "ollama").WithUsage(4, 2));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OLLAMA_HOST"] = emulator.BaseAddress.AbsoluteUri }, "chat", "--stream", "hi");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from ollama\n");
        emulator.LastRequest.Path.Should().Be("/api/chat");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("granite3.3:8b");
    }

    [Fact]
    public async Task Hugging_face_chat_uses_the_messages_api_with_the_token()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(EmulatorScript.Text("from tgi"));

        var result = await CliRun.InProcessAsync(
            new Dictionary<string, string?> { ["HF_TOKEN"] = "hf_test_token" },
            "chat", "--backend", "huggingface", "--base-url", emulator.BaseAddress.AbsoluteUri, "--model", "tgi", "hi");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from tgi\n");
        emulator.LastRequest.Path.Should().Be("/v1/chat/completions");
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer hf_test_token");
    }

    [Fact]
    public async Task LiteLlm_reads_its_base_url_variable_and_needs_a_model()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.Enqueue(EmulatorScript.Text("from litellm"));

        var result = await CliRun.InProcessAsync(
            new Dictionary<string, string?> { ["LITELLM_BASE_URL"] = emulator.OpenAIBaseUrl },
            "chat", "--backend", "litellm", "--model", "my-group", "hi");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from litellm\n");
        emulator.LastRequest.JsonProperty("model")!.Value.GetString().Should().Be("my-group");
    }

    [Fact]
    public async Task Watsonx_exchanges_the_key_for_an_iam_token_and_calls_text_chat()
    {
        await using var iam = await ProviderEmulator.StartAsync(new WatsonxIamWireFormat());
        iam.DefaultScript = EmulatorScript.Text(string.Empty);
        await using var emulator = await ProviderEmulator.StartAsync(new WatsonxWireFormat());
        emulator.Enqueue(EmulatorScript.Text("from watsonx").WithUsage(5, 3));
        var environment = new Dictionary<string, string?>
        {
            ["WATSONX_URL"] = emulator.BaseAddress.AbsoluteUri,
            ["WATSONX_API_KEY"] = "watsonx-test-key",
            ["WATSONX_PROJECT_ID"] = "project-1",
            ["WATSONX_IAM_URL"] = WatsonxIamWireFormat.TokenUrl(iam),
        };

        var result = await CliRun.InProcessAsync(environment, "chat", "--backend", "watsonx", "hi");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("from watsonx\n");
        emulator.LastRequest.Path.Should().Be("/ml/v1/text/chat");
        emulator.LastRequest.Header("Authorization").Should().Be("Bearer emulated-iam-token-1");
        result.StandardOutput.Should().NotContain("watsonx-test-key");
    }
}
