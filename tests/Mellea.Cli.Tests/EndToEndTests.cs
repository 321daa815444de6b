using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Cli.Tests;

/// <summary>
/// The built CLI in a child process, as a user runs it, against the emulator this test hosts on loopback. A handful of
/// processes, each proving something only a real process can: exit codes, stderr as the shell sees it, telemetry from the
/// environment alone, flushed before exit.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Chat_streams_and_env_only_telemetry_reaches_the_otlp_receiver_before_exit()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(cancellationToken);
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo ", "world").WithUsage(6, 3).WithIdentity("chatcmpl-e2e", "gpt-e2e"));

        var result = await CliProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["OPENAI_API_KEY"] = "sk-e2e",
                ["MELLEA_TRACES_ENABLED"] = "true",
                ["MELLEA_TRACES_OTLP"] = "true",
                ["MELLEA_METRICS_ENABLED"] = "true",
                ["MELLEA_METRICS_OTLP"] = "true",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "mellea-cli-test",
            },
            "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--model", "gpt-e2e", "--stream", "--conversation-id", "conv-e2e", "greet");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Be("Hello world\n");
        result.StandardError.Should().BeEmpty();
        var spans = await receiver.WaitForSpansAsync(1, ReceiveTimeout, cancellationToken);
        var chat = spans.Should().ContainSingle(span => span.ScopeName == "mellea.backend").Subject;
        chat.Name.Should().Be("chat gpt-e2e");
        chat.ServiceName.Should().Be("mellea-cli-test");
        chat.Attributes[GenAiAttributes.ProviderName].Should().Be("openai");
        chat.Attributes[GenAiAttributes.RequestStream].Should().Be(true);
        chat.Attributes[GenAiAttributes.ConversationId].Should().Be("conv-e2e");
        chat.Attributes[GenAiAttributes.ResponseId].Should().Be("chatcmpl-e2e");
        chat.Attributes[GenAiAttributes.UsageOutputTokens].Should().Be(3L);
        var duration = await receiver.WaitForMetricAsync(MelleaMetrics.OperationDuration, ReceiveTimeout, cancellationToken);
        duration.Points.Should().ContainSingle().Which.Count.Should().Be(1UL, "the CLI flushes metrics at exit, long before the export interval");
    }

    [Fact]
    public async Task Raw_json_in_a_child_process_prints_one_document()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices("A", "B").WithUsage(4, 2).WithIdentity("cmpl-e2e", "gpt-raw"));

        var result = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-e2e" },
            "raw", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--json", "first", "second");

        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        document.RootElement.GetProperty("results").EnumerateArray().Select(entry => entry.GetProperty("text").GetString()).Should().Equal("A", "B");
        document.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64().Should().Be(6);
    }

    [Fact]
    public async Task A_401_exits_1_with_one_auth_line_and_no_stack_trace()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Failing(EmulatorFault.Status(401));

        var result = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-wrong" },
            "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "hi");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Be("auth: openai rejected the credentials (HTTP 401): check OPENAI_API_KEY\n");
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task A_429_on_every_attempt_exits_1_with_a_rate_limit_line_after_the_retries()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Failing(EmulatorFault.Status(429)).WithHeader("retry-after-ms", "10");

        var result = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-e2e" },
            "chat", "--backend", "openai", "--base-url", emulator.OpenAIBaseUrl, "--retries", "1", "hi");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Be("rate_limit: openai is rate-limiting requests (HTTP 429) after 2 attempts: wait a minute and try again, or raise --retries\n");
        emulator.Requests.Should().HaveCount(2, "--retries 1 means one retry after the first attempt");
    }

    [Fact]
    public async Task An_unreachable_ollama_exits_1_and_says_how_to_start_it()
    {
        var url = ClosedPort.Url();

        var result = await CliProcess.RunAsync(new Dictionary<string, string> { ["OLLAMA_HOST"] = url }, "chat", "--retries", "0", "hi");

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Be($"transport_error: nothing is listening at {url}: start Ollama with `ollama serve`\n");
    }

    [Fact]
    public async Task Demo_exits_0_and_prints_every_step_the_span_tree_and_the_metrics()
    {
        var result = await CliProcess.RunAsync(null, "demo");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardError.Should().BeEmpty();
        var output = result.StandardOutput;
        output.Should().ContainAll("1. chat", "2. stream", "3. raw batch", "4. tool call", "5. a 429, retried", "6. a failing call");
        output.Should().Contain("Bonjour ! Je suis un émulateur local.", "the chat answer");
        output.Should().Contain("one call, one trace, one story,", "the streamed answer");
        output.Should().Contain("violets are blue.", "the raw batch");
        output.Should().Contain("get_weather(city: \"Paris\")").And.Contain("It is 18 °C and sunny in Paris.");
        output.Should().Contain("succeeded after 1 retry").And.Contain("Yes, after one retry.");
        output.Should().Contain("auth: openai rejected the credentials (HTTP 401): check OPENAI_API_KEY");
        output.Should().ContainAll("demo 1: chat", "chat gpt-4o-mini", "text_completion gpt-4o-mini", "orchestrate_tools", "execute_tool get_weather", "HTTP POST /v1/chat/completions");
        output.Should().Contain("event mellea.retry").And.Contain("mellea.retry.attempts=1").And.Contain("mellea.error.category=auth");
        output.Should().ContainAll(MelleaMetrics.OperationDuration, MelleaMetrics.TokenUsage, MelleaMetrics.Errors, MelleaMetrics.Retries, MelleaMetrics.TimeToFirstChunk);
        output.Should().NotContain("sk-demo-placeholder", "even a placeholder key is never printed");
    }
}
