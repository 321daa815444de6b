using Mellea.Testing;

namespace Mellea.Cli.Tests;

/// <summary>Failures in-process: the exit code and the one stderr line for each category, a stack trace only with --verbose, and no secret anywhere.</summary>
public sealed class FailureLineTests
{
    private const string Secret = "sk-very-secret-0123456789";

    [Fact]
    public async Task A_401_is_one_auth_line_that_names_the_key_variable_and_never_the_key()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(401, message: $"Incorrect API key provided: {Secret}.")));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = Secret }, "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "hi");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be("auth: openai rejected the credentials (HTTP 401): check OPENAI_API_KEY");
        result.StandardOutput.Should().BeEmpty();
        emulator.Requests.Should().HaveCount(1, "an auth failure is not retried");
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace_after_the_line_and_still_no_secret()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.Status(401, message: $"Incorrect API key provided: {Secret}.")));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = Secret }, "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--verbose", "hi");

        result.ExitCode.Should().Be(1);
        result.ErrorLines[0].Should().StartWith("auth: ");
        result.StandardError.Should().Contain("Mellea.GenerationException").And.Contain("   at ");
        result.StandardError.Should().NotContain(Secret);
    }

    [Fact]
    public async Task A_missing_watsonx_key_says_check_WATSONX_API_KEY()
    {
        var environment = new Dictionary<string, string?> { ["WATSONX_URL"] = ClosedPort.Url(), ["WATSONX_PROJECT_ID"] = "project-1" };

        var result = await CliRun.InProcessAsync(environment, "chat", "--backend", "watsonx", "hi");

        result.ExitCode.Should().Be(1, result.ToString());
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("auth: ").And.EndWith("check WATSONX_API_KEY");
    }

    [Fact]
    public async Task A_429_that_outlasts_the_retries_is_a_rate_limit_line()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Failing(EmulatorFault.Status(429));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" }, "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--retries", "0", "hi");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be("rate_limit: openai is rate-limiting requests (HTTP 429): wait a minute and try again, or raise --retries");
        emulator.Requests.Should().HaveCount(1, "--retries 0 turns retrying off");
    }

    [Fact]
    public async Task A_server_error_names_the_status()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Failing(EmulatorFault.Status(503));

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" }, "raw", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--retries", "0", "p");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be("server_error: openai failed (HTTP 503): try again later");
    }

    [Fact]
    public async Task Nothing_listening_for_ollama_says_start_ollama()
    {
        var url = ClosedPort.Url();

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OLLAMA_HOST"] = url }, "chat", "--retries", "0", "hi");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be($"transport_error: nothing is listening at {url}: start Ollama with `ollama serve`");
    }

    [Fact]
    public async Task Nothing_listening_for_openai_points_at_the_base_url_setting()
    {
        var url = ClosedPort.Url() + "/v1";

        var result = await CliRun.InProcessAsync(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test" }, "chat", "--backend", "openai", "--base-url", url, "--retries", "0", "hi");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be($"transport_error: nothing is listening at {url}: check --base-url or OPENAI_BASE_URL");
    }
}
