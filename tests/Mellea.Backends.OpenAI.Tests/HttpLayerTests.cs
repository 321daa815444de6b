using System.Net;
using System.Text;
using Mellea.Backends.Http;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>The shared HTTP layer on its own: error bodies of every provider shape, Retry-After, SSE and NDJSON framing, scrubbing, base URLs.</summary>
public sealed class HttpLayerTests
{
    private static readonly ProviderErrorContext Context = new("test", secret: "sk-secret-XYZ", credentialSetting: "TEST_KEY");

    [Theory]
    [InlineData("""{"error":{"message":"m","type":"invalid_request_error","param":"tools","code":"bad_tool"}}""", "m", "invalid_request_error", "bad_tool", "tools")]
    [InlineData("""{"error":{"message":"m","type":"None","param":"None","code":403}}""", "m", null, "403", null)]
    [InlineData("""{"error":"Input validation error","error_type":"validation"}""", "Input validation error", "validation", null, null)]
    [InlineData("""{"detail":"Not Found"}""", "Not Found", null, null, null)]
    [InlineData("""{"errors":[{"code":"authentication_token_not_valid","message":"expired"}],"trace":"t-1","status_code":401}""", "expired", null, "authentication_token_not_valid", null)]
    public void Error_bodies_of_every_provider_shape_are_read(string body, string message, string? type, string? code, string? param)
    {
        var details = ProviderErrorDetails.Parse(Encoding.UTF8.GetBytes(body))!;

        details.Message.Should().Be(message);
        details.Type.Should().Be(type);
        details.Code.Should().Be(code);
        details.Param.Should().Be(param);
    }

    [Fact]
    public void A_status_echo_code_gives_way_to_the_type_as_the_reason()
    {
        var details = ProviderErrorDetails.Parse("""{"error":{"message":"m","type":"budget_exceeded","code":"429"}}"""u8)!;

        details.CodeAsStatus.Should().Be(429);
        details.ReasonCode.Should().Be("budget_exceeded");
        ProviderErrorDetails.Parse("not json"u8).Should().BeNull();
    }

    [Fact]
    public async Task Non_json_error_bodies_are_quoted_and_scrubbed()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>upstream sk-secret-XYZ died</html>") };

        var error = await ProviderErrors.FromResponseAsync(response, Context, TestContext.Current.CancellationToken);

        error.Category.Should().Be(ErrorCategory.ServerError);
        error.IsRetryable.Should().BeTrue();
        error.Message.Should().Contain("upstream [REDACTED] died").And.NotContain("sk-secret-XYZ");
    }

    [Fact]
    public async Task Auth_errors_name_the_credential_setting()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("""{"error":{"message":"bad key"}}""") };

        var error = await ProviderErrors.FromResponseAsync(response, Context, TestContext.Current.CancellationToken);

        error.Message.Should().Contain("TEST_KEY");
    }

    [Fact]
    public void Retry_after_reads_ms_then_seconds_then_a_date_then_a_fraction()
    {
        static TimeSpan? Read(string name, string value)
        {
            using var response = new HttpResponseMessage();
            response.Headers.TryAddWithoutValidation(name, value);
            return RetryAfterHeaders.Read(response.Headers);
        }

        Read("retry-after-ms", "250").Should().Be(TimeSpan.FromMilliseconds(250));
        Read("Retry-After", "12").Should().Be(TimeSpan.FromSeconds(12));
        Read("Retry-After", "1.5").Should().Be(TimeSpan.FromSeconds(1.5));
        Read("Retry-After", DateTimeOffset.UtcNow.AddMinutes(-5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Should().Be(TimeSpan.Zero);
        Read("x-other", "1").Should().BeNull();
        Read("retry-after-ms", "0").Should().Be(TimeSpan.Zero, "a zero wait is a wait the provider asked for");
        Read("Retry-After", "0").Should().Be(TimeSpan.Zero);
        Read("Retry-After", "0.0").Should().Be(TimeSpan.Zero);
        Read("retry-after-ms", "-5").Should().BeNull("a negative wait is no wait at all, and nothing else was sent");
    }

    [Fact]
    public void Retry_after_ms_wins_over_retry_after_and_an_http_date_is_measured_on_the_clock_given()
    {
        var clock = new Mellea.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        using var both = new HttpResponseMessage();
        both.Headers.TryAddWithoutValidation("retry-after-ms", "750");
        both.Headers.TryAddWithoutValidation("Retry-After", "30");
        using var dated = new HttpResponseMessage();
        dated.Headers.TryAddWithoutValidation("Retry-After", "Mon, 07 Dec 2026 12:00:30 GMT");

        RetryAfterHeaders.Read(both.Headers).Should().Be(TimeSpan.FromMilliseconds(750));
        RetryAfterHeaders.Read(dated.Headers, clock).Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Scrubbing_without_a_secret_or_without_a_match_returns_the_text_itself()
    {
        const string text = "nothing to hide";

        SecretScrubber.Scrub(text, null).Should().BeSameAs(text);
        SecretScrubber.Scrub(text, string.Empty).Should().BeSameAs(text);
        SecretScrubber.Scrub(text, "sk-absent").Should().BeSameAs(text);
        SecretScrubber.Scrub("sk-1 and sk-1", "sk-1").Should().Be("[REDACTED] and [REDACTED]");
        FluentActions.Invoking(() => SecretScrubber.Scrub(null!, "sk-1")).Should().Throw<ArgumentNullException>().WithParameterName("text");
        FluentActions.Invoking(() => RetryAfterHeaders.Read(null!)).Should().Throw<ArgumentNullException>().WithParameterName("headers");
    }

    [Theory]
    [InlineData("timeout", ErrorCategory.Timeout, "timeout", "The call to test timed out.")]
    [InlineData("json", ErrorCategory.TransportError, "malformed_response", "test sent a response that is not valid JSON.")]
    [InlineData("reader", ErrorCategory.TransportError, "malformed_response", "test sent a response that is not valid JSON.")]
    [InlineData("io", ErrorCategory.TransportError, "transport_error", "The connection to test failed or was cut before the response was complete: reset by peer")]
    public void Each_failure_kind_gets_its_category_error_type_message_provider_and_request_id(string kind, ErrorCategory category, string errorType, string message)
    {
        Exception failure = kind switch
        {
            "timeout" => new TimeoutException(),
            "json" => new System.Text.Json.JsonException("bad"),
            // What Utf8JsonReader's getters throw for a token of the wrong kind.
            "reader" => new InvalidOperationException("Cannot get the value of a token type 'Number' as a string.") { Source = "System.Text.Json" },
            _ => new IOException("reset by peer"),
        };

        var error = ProviderErrors.FromException(failure, Context, CancellationToken.None, requestId: "req-9")!;

        error.Category.Should().Be(category);
        error.ErrorType.Should().Be(errorType);
        error.Message.Should().Be(message);
        error.ProviderName.Should().Be("test");
        error.ProviderRequestId.Should().Be("req-9");
    }

    [Theory]
    [InlineData("data: {\"a\":1}\n\ndata: {\"a\":2}\n\n", 2)]
    [InlineData("data:{\"a\":1}\n\ndata:{\"a\":2}", 2)]
    [InlineData("event: message\nid: 7\ndata: {\"a\":1}\n\n: keep-alive\n\ndata: {\"a\":2}\n", 2)]
    [InlineData("data: {\"a\":1}\r\n\r\ndata: {\"a\":2}\r\n\r\n", 2)]
    public async Task Sse_framing_variants_all_deliver_every_event(string body, int expected)
    {
        var transport = new ProviderHttpTransport(() => throw new InvalidOperationException(), Context);
        using var response = new HttpResponseMessage { Content = new StringContent(body) };
        var items = new List<string>();

        await foreach (var item in transport.ReadServerSentEventsAsync(response, static (_, data) => Encoding.UTF8.GetString(data), TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        items.Should().HaveCount(expected);
        items[^1].Should().Be("{\"a\":2}");
    }

    [Fact]
    public async Task Ndjson_lines_are_split_with_a_last_line_without_newline()
    {
        var transport = new ProviderHttpTransport(() => throw new InvalidOperationException(), Context);
        var body = string.Join("\n", Enumerable.Range(0, 3000).Select(i => $"{{\"i\":{i}}}")) + "\n\n{\"i\":\"last\"}";
        using var response = new HttpResponseMessage { Content = new StringContent(body) };
        var items = new List<string>();

        await foreach (var item in transport.ReadJsonLinesAsync(response, static line => Encoding.UTF8.GetString(line), TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        items.Should().HaveCount(3001);
        items[2999].Should().Be("{\"i\":2999}");
        items[^1].Should().Be("{\"i\":\"last\"}");
    }

    [Fact]
    public void Error_events_categorize_by_status_code_or_reason()
    {
        ProviderErrors.FromErrorEvent("""{"error":{"message":"x","code":"503"}}"""u8, Context).Category.Should().Be(ErrorCategory.ServerError);
        ProviderErrors.FromErrorEvent("""{"error":{"message":"x","type":"invalid_request_error"}}"""u8, Context).Category.Should().Be(ErrorCategory.InvalidRequest);
        ProviderErrors.FromErrorEvent("""{"error":{"message":"x","code":"content_filter"}}"""u8, Context).Category.Should().Be(ErrorCategory.ContentPolicy);
        ProviderErrors.FromErrorEvent("""{"error":"Ollama ran out of memory"}"""u8, Context).Category.Should().Be(ErrorCategory.ServerError);
    }

    [Fact]
    public void Caller_cancellation_is_not_mapped_but_a_timeout_is()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        ProviderErrors.FromException(new TaskCanceledException(), Context, cancelled.Token).Should().BeNull();
        ProviderErrors.FromException(new TaskCanceledException("t", new TimeoutException()), Context, CancellationToken.None)!.Category.Should().Be(ErrorCategory.Timeout);
        ProviderErrors.FromException(new InvalidOperationException(), Context, CancellationToken.None).Should().BeNull();
    }

    [Fact]
    public void Inner_exceptions_that_carry_the_secret_are_replaced()
    {
        var error = ProviderErrors.FromException(new HttpRequestException("failed for sk-secret-XYZ"), Context, CancellationToken.None)!;

        error.ToString().Should().NotContain("sk-secret-XYZ");
        error.Category.Should().Be(ErrorCategory.TransportError);
    }

    [Fact]
    public async Task Sse_read_one_byte_at_a_time_with_a_bom_and_a_multi_line_event_longer_than_the_join_buffer_is_intact()
    {
        var transport = new ProviderHttpTransport(() => throw new InvalidOperationException(), Context);
        var first = new string('a', 900);
        var second = new string('b', 900);
        var body = "\uFEFF: comment\r\ndata: {\"a\":1}\r\n\r\n" + $"data: {first}\ndata: {second}\n\n" + "event: message\ndata: {\"a\":2}\n\n";
        using var response = new HttpResponseMessage { Content = new StreamContent(new OneByteAtATimeStream(Encoding.UTF8.GetBytes(body))) };
        var items = new List<string>();

        await foreach (var item in transport.ReadServerSentEventsAsync(response, static (_, data) => Encoding.UTF8.GetString(data), TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        // The data lines of one event are joined with a newline, whatever their total length.
        items.Should().Equal("{\"a\":1}", first + "\n" + second, "{\"a\":2}");
    }

    [Fact]
    public async Task An_ndjson_line_longer_than_the_read_buffer_arrives_whole_even_one_byte_at_a_time()
    {
        var transport = new ProviderHttpTransport(() => throw new InvalidOperationException(), Context);
        var longLine = "{\"text\":\"" + new string('x', 40_000) + "\"}";
        var body = Encoding.UTF8.GetBytes("{\"i\":1}\n" + longLine + "\n{\"i\":2}");
        foreach (var content in new HttpContent[] { new ByteArrayContent(body), new StreamContent(new OneByteAtATimeStream(body)) })
        {
            using var response = new HttpResponseMessage { Content = content };
            var items = new List<string>();

            await foreach (var item in transport.ReadJsonLinesAsync(response, static line => Encoding.UTF8.GetString(line), TestContext.Current.CancellationToken))
            {
                items.Add(item);
            }

            items.Should().Equal("{\"i\":1}", longLine, "{\"i\":2}");
        }
    }

    /// <summary>A body that hands out one byte per read, as a slow network might: every boundary falls between two reads somewhere.</summary>
    private sealed class OneByteAtATimeStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1/chat/completions")]
    [InlineData("https://api.openai.com/v1/", "https://api.openai.com/v1/chat/completions")]
    [InlineData("http://localhost:4000", "http://localhost:4000/chat/completions")]
    public void Base_urls_join_relative_routes(string baseUrl, string expected) =>
        ProviderEndpoint.Combine(ProviderEndpoint.ParseBaseUrl(baseUrl, "X"), "chat/completions").AbsoluteUri.Should().Be(expected);

    [Theory]
    [InlineData("")]
    [InlineData("relative/path")]
    [InlineData("file:///etc/passwd")]
    public void Bad_base_urls_name_the_setting(string value)
    {
        var parse = () => ProviderEndpoint.ParseBaseUrl(value, "MY_BASE_URL");

        parse.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("MY_BASE_URL");
    }

    [Fact]
    public void Secrets_added_later_are_scrubbed_too()
    {
        var context = new ProviderErrorContext("watsonx", secret: "api-key-1");
        context.AddSecret("iam-token-2");

        var error = ProviderErrors.FromException(new HttpRequestException("api-key-1 then iam-token-2"), context, CancellationToken.None)!;

        context.Scrub("a api-key-1 b iam-token-2").Should().Be("a [REDACTED] b [REDACTED]");
        error.ToString().Should().NotContain("api-key-1").And.NotContain("iam-token-2");
    }
}
