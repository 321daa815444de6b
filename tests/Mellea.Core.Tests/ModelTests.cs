namespace Mellea.Core.Tests;

public sealed class ModelTests
{
    [Theory]
    [InlineData("stop", false, FinishReasonKind.Stop, "stop")]
    [InlineData("stop", true, FinishReasonKind.ToolCall, "tool_call")]
    [InlineData("eos_token", false, FinishReasonKind.Stop, "stop")]
    [InlineData("stop_sequence", false, FinishReasonKind.Stop, "stop")]
    [InlineData("length", false, FinishReasonKind.Length, "length")]
    [InlineData("time_limit", false, FinishReasonKind.Length, "length")]
    [InlineData("tool_calls", false, FinishReasonKind.ToolCall, "tool_call")]
    [InlineData("function_call", false, FinishReasonKind.ToolCall, "tool_call")]
    [InlineData("content_filter", false, FinishReasonKind.ContentFilter, "content_filter")]
    [InlineData("cancelled", false, FinishReasonKind.Error, "error")]
    [InlineData("unload", false, FinishReasonKind.Other, "unload")]
    public void Finish_reasons_normalize_and_keep_the_raw_value(string raw, bool toolCalls, FinishReasonKind kind, string value)
    {
        var reason = FinishReason.Normalize(raw, toolCalls);

        reason.Kind.Should().Be(kind);
        reason.Value.Should().Be(value);
        reason.Raw.Should().Be(raw);
    }

    [Fact]
    public void An_update_gives_back_the_finish_reason_it_was_given_every_kind_and_none()
    {
        var reasons = Enum.GetValues<FinishReasonKind>().Select(kind => (FinishReason?)new FinishReason(kind, $"raw-{kind}"))
            .Append(default(FinishReason))
            .Append(null);

        foreach (var reason in reasons)
        {
            new ChatResponseUpdate { FinishReason = reason }.FinishReason.Should().Be(reason);
        }

        new ChatResponseUpdate { TextDelta = "x" }.FinishReason.Should().BeNull();
    }

    [Fact]
    public void Usage_add_keeps_null_plus_null_null()
    {
        var a = new UsageDetails { InputTokens = 2, OutputTokens = null };
        a.Add(new UsageDetails { InputTokens = 3, CacheReadInputTokens = 1 });

        a.InputTokens.Should().Be(5);
        a.OutputTokens.Should().BeNull();
        a.CacheReadInputTokens.Should().Be(1);
        new UsageDetails { InputTokens = 1, OutputTokens = 2 }.WithComputedTotal().TotalTokens.Should().Be(3);
    }

    [Fact]
    public void Message_text_joins_text_parts_and_ToString_never_shows_content()
    {
        var message = new ChatMessage(ChatRole.Assistant, [new TextPart("se"), new ToolCallPart("c1", "f", "{}"), new TextPart("cret")]);

        message.Text.Should().Be("secret");
        message.ToolCalls.Should().ContainSingle().Which.Name.Should().Be("f");
        message.ToString().Should().NotContain("secret");
        new ChatRequest("secret prompt").ToString().Should().NotContain("secret");
    }

    [Fact]
    public void Options_clone_is_deep_for_collections()
    {
        var original = new GenerationOptions { StopSequences = ["a"], TelemetryTags = new Dictionary<string, string> { ["t"] = "1" } };
        var copy = original.Clone();
        copy.StopSequences!.Add("b");
        copy.TelemetryTags!["u"] = "2";

        original.StopSequences.Should().Equal("a");
        original.TelemetryTags.Should().HaveCount(1);
    }

    [Fact]
    public void Handler_info_keeps_only_host_and_port_of_the_endpoint()
    {
        var info = new GenerationHandlerInfo("openai", new Uri("https://user:pw@api.example.test:8443/v1?key=secret"), "gpt");

        info.ServerAddress.Should().Be("api.example.test");
        info.ServerPort.Should().Be(8443);
        info.ToString().Should().NotContain("secret").And.NotContain("pw");
    }

    [Fact]
    public void GenerationException_ToString_shows_the_facts_and_defaults_its_error_type_and_retryability()
    {
        var rateLimited = new GenerationException(ErrorCategory.RateLimit, "slow down") { StatusCode = 429, ProviderRequestId = "req-9" };
        var quota = new GenerationException(ErrorCategory.RateLimit, "no money") { StatusCode = 429, ProviderErrorCode = "insufficient_quota" };
        var transport = new GenerationException(ErrorCategory.TransportError, "reset");

        rateLimited.ErrorType.Should().Be("429");
        rateLimited.IsRetryable.Should().BeTrue();
        rateLimited.ToString().Should().Contain("rate_limit").And.Contain("req-9");
        quota.IsRetryable.Should().BeFalse();
        transport.ErrorType.Should().Be("transport_error");
        transport.IsRetryable.Should().BeTrue();
    }
}
