using Mellea.Backends.LiteLlm;
using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>The LiteLLM backend: the OpenAI engine with LiteLLM's headers, routes, keys and error bodies.</summary>
public sealed class LiteLlmTests
{
    [Fact]
    public async Task Headers_fill_reported_cost_and_extras_on_streams_and_whole_answers_alike()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat { ResponseCostUsd = 0.00123, AttemptedRetries = 1 });
        emulator.DefaultScript = EmulatorScript.Text("a", "b").WithUsage(3, 2);
        using var client = new HttpClient();
        var backend = TestBackends.LiteLlm(emulator, client);

        var whole = await backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);
        var updates = await TestBackends.CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        var streamed = updates[^1].Metadata!;
        foreach (var metadata in new[] { whole.Metadata, streamed })
        {
            metadata.ProviderName.Should().Be("litellm");
            metadata.ReportedCostUsd.Should().Be(0.00123);
            metadata.ProviderExtras.Should().Contain(LiteLlmResponseHeaders.AttemptedRetriesKey, 1)
                .And.ContainKey(LiteLlmResponseHeaders.ModelIdKey)
                .And.Contain(LiteLlmResponseHeaders.ModelApiBaseKey, "https://x-example-1234.openai.azure.com");
            metadata.ProviderRequestId.Should().Be("b980db26-9512-45cc-b1da-c511a363b83f");
        }

        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed).Excluding(m => m.ResponseId));
    }

    [Fact]
    public async Task Routes_are_relative_to_the_proxy_root_and_top_k_passes_through()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();
        var backend = TestBackends.LiteLlm(emulator, client);

        await backend.ChatAsync(new ChatRequest("hi", new() { TopK = 5 }), TestContext.Current.CancellationToken);
        await backend.CompleteRawAsync(new RawCompletionRequest(["p"]), TestContext.Current.CancellationToken);

        emulator.Requests[0].Path.Should().Be("/chat/completions");
        emulator.Requests[0].JsonProperty("top_k")!.Value.GetInt32().Should().Be(5);
        emulator.Requests[0].Header("Authorization").Should().Be("Bearer " + TestBackends.ApiKey);
        emulator.Requests[1].Path.Should().Be("/completions");
    }

    [Fact]
    public async Task Without_a_key_calls_go_out_without_authorization_unless_a_key_is_required()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.DefaultScript = EmulatorScript.Text("ok");
        using var client = new HttpClient();
        var environment = TestBackends.Environment(("LITELLM_BASE_URL", emulator.BaseAddress.AbsoluteUri));
        var open = new LiteLlmBackend(client, new() { Model = "g" }, environment);
        var strict = new LiteLlmBackend(client, new() { Model = "g", RequireApiKey = true }, environment);

        var answer = await open.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken);
        var error = await ErrorTests.CatchAsync(() => strict.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());

        answer.Text.Should().Be("ok");
        emulator.LastRequest.Header("Authorization").Should().BeNull();
        error.Category.Should().Be(ErrorCategory.Auth);
        error.Message.Should().Contain("LITELLM_API_KEY");
        emulator.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task Error_bodies_with_string_codes_and_None_types_are_read()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.Enqueue(
            EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(4), message: "litellm.RateLimitError: slow down")),
            EmulatorScript.Failing(EmulatorFault.Status(403, message: "Blocked by guardrail")));
        using var client = new HttpClient();
        var backend = TestBackends.LiteLlm(emulator, client);

        var limited = await ErrorTests.CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());
        var blocked = await ErrorTests.CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());

        limited.Category.Should().Be(ErrorCategory.RateLimit);
        limited.IsRetryable.Should().BeTrue();
        limited.RetryAfter.Should().Be(TimeSpan.FromSeconds(4));
        limited.ProviderErrorType.Should().BeNull("\"None\" means absent");
        limited.ProviderName.Should().Be("litellm");
        blocked.Category.Should().Be(ErrorCategory.Auth);
        blocked.Message.Should().Contain("Blocked by guardrail").And.Contain("LITELLM_API_KEY");
    }

    [Fact]
    public async Task Midstream_error_event_with_a_string_status_code_keeps_that_status()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new LiteLlmWireFormat());
        emulator.Enqueue(EmulatorScript.Text("a", "b").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, statusCode: 429, message: "rate limited upstream")));
        using var client = new HttpClient();

        var error = await ErrorTests.CatchAsync(() => TestBackends.CollectAsync(TestBackends.LiteLlm(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken)));

        error.Category.Should().Be(ErrorCategory.RateLimit);
        error.StatusCode.Should().Be(429);
        error.IsRetryable.Should().BeTrue();
    }
}
