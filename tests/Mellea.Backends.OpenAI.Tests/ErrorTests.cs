using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Every way a call fails becomes a GenerationException with the right category and retryability, and never shows the key.</summary>
public sealed class ErrorTests
{
    [Theory]
    [InlineData(400, ErrorCategory.InvalidRequest, false)]
    [InlineData(401, ErrorCategory.Auth, false)]
    [InlineData(403, ErrorCategory.Auth, false)]
    [InlineData(404, ErrorCategory.InvalidRequest, false)]
    [InlineData(408, ErrorCategory.Timeout, true)]
    [InlineData(429, ErrorCategory.RateLimit, true)]
    [InlineData(500, ErrorCategory.ServerError, true)]
    [InlineData(503, ErrorCategory.ServerError, true)]
    public async Task Status_gives_category_and_retryability_on_chat_and_stream(int status, ErrorCategory category, bool retryable)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(
            EmulatorScript.Failing(EmulatorFault.Status(status, message: $"failure {status}")).WithHeader("x-request-id", "req_abc"),
            EmulatorScript.Failing(EmulatorFault.Status(status)));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        var chat = await CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());
        var stream = await CatchAsync(() => TestBackends.CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken)));

        foreach (var error in new[] { chat, stream })
        {
            error.Category.Should().Be(category);
            error.IsRetryable.Should().Be(retryable);
            error.StatusCode.Should().Be(status);
            error.ErrorType.Should().Be(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            error.ProviderName.Should().Be("openai");
        }

        chat.Message.Should().Contain($"failure {status}");
        chat.ProviderRequestId.Should().Be("req_abc");
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_kept()
    {
        var error = await ChatErrorAsync(EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(3))));

        error.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
        error.ProviderErrorCode.Should().Be("rate_limit_exceeded");
    }

    [Fact]
    public async Task Retry_after_ms_wins_over_retry_after()
    {
        var error = await ChatErrorAsync(EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(30))).WithHeader("retry-after-ms", "1500"));

        error.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_becomes_a_delay()
    {
        var date = DateTimeOffset.UtcNow.AddHours(1).ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        var error = await ChatErrorAsync(EmulatorScript.Failing(EmulatorFault.Status(503)).WithHeader("Retry-After", date));

        error.RetryAfter.Should().BeGreaterThan(TimeSpan.FromMinutes(50)).And.BeLessThan(TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Insufficient_quota_429_is_not_retryable()
    {
        var error = await ChatErrorAsync(EmulatorScript.Failing(EmulatorFault.Status(429, code: "insufficient_quota", type: "insufficient_quota")));

        error.Category.Should().Be(ErrorCategory.RateLimit);
        error.IsRetryable.Should().BeFalse();
    }

    [Fact]
    public async Task Malformed_body_is_a_transport_error_that_is_not_retried()
    {
        var error = await ChatErrorAsync(EmulatorScript.Text("x").WithFault(EmulatorFault.MalformedJson()));

        error.Category.Should().Be(ErrorCategory.TransportError);
        error.ErrorType.Should().Be("malformed_response");
        error.IsRetryable.Should().BeFalse();
        error.InnerException.Should().BeAssignableTo<System.Text.Json.JsonException>();
    }

    [Fact]
    public async Task Malformed_stream_event_is_a_transport_error()
    {
        var error = await StreamErrorAsync(EmulatorScript.Text("a", "b").WithFault(EmulatorFault.MalformedJson()));

        error.Category.Should().Be(ErrorCategory.TransportError);
        error.ErrorType.Should().Be("malformed_response");
    }

    [Fact]
    public async Task Dropped_connection_mid_stream_is_a_retryable_transport_error_after_the_chunks_that_arrived()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("one", "two", "three").WithFault(EmulatorFault.DropConnection(afterChunks: 2)));
        using var client = new HttpClient();
        var received = new List<ChatResponseUpdate>();

        var read = async () =>
        {
            await foreach (var update in TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken))
            {
                received.Add(update);
            }
        };

        var error = (await read.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.TransportError);
        error.IsRetryable.Should().BeTrue();
        TestBackends.Text(received).Should().Be("one");
        received.Should().OnlyContain(u => u.Metadata == null, "a cut stream has no final metadata");
    }

    [Fact]
    public async Task Dropped_connection_on_a_whole_response_is_a_transport_error()
    {
        var error = await ChatErrorAsync(EmulatorScript.Text("a long enough answer").WithFault(EmulatorFault.DropConnection()));

        error.Category.Should().Be(ErrorCategory.TransportError);
        error.IsRetryable.Should().BeTrue();
    }

    [Fact]
    public async Task Error_event_mid_stream_is_a_server_error_after_the_chunks_before_it()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("one", "two").WithFault(EmulatorFault.ErrorEvent(afterChunks: 2, message: "upstream overloaded")));
        using var client = new HttpClient();
        var received = new List<ChatResponseUpdate>();

        var read = async () =>
        {
            await foreach (var update in TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken))
            {
                received.Add(update);
            }
        };

        var error = (await read.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.ServerError);
        error.IsRetryable.Should().BeTrue();
        error.ProviderErrorType.Should().Be("server_error");
        error.Message.Should().Contain("upstream overloaded");
        TestBackends.Text(received).Should().Be("one");
    }

    [Fact]
    public async Task Rate_limit_error_event_mid_stream_is_a_rate_limit()
    {
        var error = await StreamErrorAsync(EmulatorScript.Text("a").WithFault(EmulatorFault.ErrorEvent(afterChunks: 1, type: "rate_limit_error")));

        error.Category.Should().Be(ErrorCategory.RateLimit);
        error.IsRetryable.Should().BeTrue();
    }

    [Fact]
    public async Task Slow_first_byte_past_the_client_timeout_is_a_retryable_timeout()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(30)));
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(100) };

        var call = () => TestBackends.OpenAI(emulator, client).ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask();

        var error = (await call.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.Timeout);
        error.IsRetryable.Should().BeTrue();
    }

    [Fact]
    public async Task Caller_cancellation_is_an_operation_canceled_exception()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("late").WithFirstByteDelay(TimeSpan.FromSeconds(30)));
        using var client = new HttpClient();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var backend = TestBackends.OpenAI(emulator, client);

        var call = backend.ChatAsync(new ChatRequest("hi"), cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        var thrown = await call.Invoking(c => c).Should().ThrowAsync<OperationCanceledException>();
        thrown.Which.Should().NotBeOfType<GenerationException>();
    }

    [Fact]
    public async Task Connection_refused_is_a_retryable_transport_error()
    {
        int port;
        await using (var closed = await ProviderEmulator.StartAsync())
        {
            port = closed.BaseAddress.Port;
        }

        using var client = new HttpClient();
        var backend = new OpenAIBackend(client, new() { Model = "m", ApiKey = TestBackends.ApiKey, BaseUrl = $"http://127.0.0.1:{port}/v1" });

        var call = () => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask();

        var error = (await call.Should().ThrowAsync<GenerationException>()).Which;
        error.Category.Should().Be(ErrorCategory.TransportError);
        error.IsRetryable.Should().BeTrue();
        error.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task A_200_body_that_is_an_error_is_an_error()
    {
        var error = await ChatErrorAsync(new EmulatorScript { RawBody = """{"error":{"message":"bad things","type":"server_error","code":null}}"""u8.ToArray() });

        error.Category.Should().Be(ErrorCategory.ServerError);
        error.Message.Should().Contain("bad things");
    }

    [Fact]
    public async Task An_echoed_api_key_is_scrubbed_from_message_and_ToString()
    {
        var echo = $"Incorrect API key provided: {TestBackends.ApiKey}. You can find your API key at the dashboard.";
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(
            EmulatorScript.Failing(EmulatorFault.Status(401, message: echo)),
            EmulatorScript.Text("a").WithFault(EmulatorFault.ErrorEvent(afterChunks: 1, message: echo)),
            EmulatorScript.Failing(EmulatorFault.Status(500, message: echo)));
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        var errors = new[]
        {
            await CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask()),
            await CatchAsync(() => TestBackends.CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken))),
            await CatchAsync(() => backend.CompleteRawAsync(new RawCompletionRequest(["p"]), TestContext.Current.CancellationToken).AsTask()),
        };

        foreach (var error in errors)
        {
            error.Message.Should().Contain("Incorrect API key provided: [REDACTED]");
            error.Message.Should().NotContain(TestBackends.ApiKey);
            error.ToString().Should().NotContain(TestBackends.ApiKey);
            error.ToString().Should().NotContain("MARKER");
        }

        emulator.Requests.Should().OnlyContain(r => r.Header("Authorization") == "Bearer " + TestBackends.ApiKey, "the key is sent, just never shown");
    }

    [Fact]
    public async Task Transport_errors_never_show_the_key()
    {
        using var client = new HttpClient();
        var backend = new OpenAIBackend(client, new() { Model = "m", ApiKey = TestBackends.ApiKey, BaseUrl = "http://127.0.0.1:1/v1" });

        var error = await CatchAsync(() => backend.ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());

        error.ToString().Should().NotContain(TestBackends.ApiKey);
        backend.ToString().Should().NotContain(TestBackends.ApiKey);
        backend.Info.ToString().Should().NotContain(TestBackends.ApiKey);
    }

    internal static async Task<GenerationException> CatchAsync(Func<Task> call)
    {
        var thrown = await call.Should().ThrowAsync<GenerationException>();
        return thrown.Which;
    }

    private static async Task<GenerationException> ChatErrorAsync(EmulatorScript script)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(script);
        using var client = new HttpClient();
        return await CatchAsync(() => TestBackends.OpenAI(emulator, client).ChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken).AsTask());
    }

    private static async Task<GenerationException> StreamErrorAsync(EmulatorScript script)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(script);
        using var client = new HttpClient();
        return await CatchAsync(() => TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken)));
    }
}
