using System.Net;
using System.Text;
using Mellea.Backends.Http;
using Mellea.Backends.Ollama;

namespace Mellea.Backends.Native.Tests;

/// <summary>
/// The Ollama line parser reads each answer in one flat token loop; these lines hold values of kinds and nestings that no
/// server sends today, to show that only the answer's own fields are read and everything else is passed over.
/// </summary>
public sealed class OllamaChunkReaderTests : IDisposable
{
    private readonly HttpResponseMessage _response = new(HttpStatusCode.OK);

    public void Dispose() => _response.Dispose();

    private OllamaChunkReader Reader() => new(new ProviderErrorContext("ollama"), _response);

    private static ChatResponseUpdate? Parse(OllamaChunkReader reader, string json) => reader.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Content_is_read_only_from_the_message_and_nested_unknown_values_are_passed_over()
    {
        var reader = Reader();

        var update = Parse(reader, """
            {"model":"m","extra":{"content":"not this","message":{"content":"nor this"}},"list":[{"content":"no"},[1,2]],
             "message":{"role":"assistant","images":null,"meta":{"content":"no"},"content":"yes"},"content":"top-level: no","done":false}
            """);

        update!.TextDelta.Should().Be("yes");
        reader.Model.Should().Be("m");
        reader.Done.Should().BeFalse();
    }

    [Fact]
    public void An_escaped_property_name_is_read_as_its_unescaped_name()
    {
        var reader = Reader();

        var update = Parse(reader, """{"m\u006fdel":"m","message":{"c\u006fntent":"hi"},"d\u006fne":true,"done_reason":"stop","eval\u005fcount":3}""");

        update!.TextDelta.Should().Be("hi");
        update.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
        reader.Model.Should().Be("m");
        reader.EvalCount.Should().Be(3);
    }

    [Fact]
    public void Values_of_an_unexpected_kind_are_skipped_and_read_nothing()
    {
        var reader = Reader();
        Parse(reader, """{"prompt_eval_count":5,"eval_count":7,"total_duration":9}""");

        var update = Parse(reader, """
            {"message":"text","model":{"name":"x","done":true},"done":{"done":true},"done_reason":{"why":"stop"},"prompt_eval_count":null,
             "eval_count":"7","total_duration":[1],"load_duration":1.5,"response":{"content":"no"},"thinking":[ "no" ],"done":"true",
             "error":null,"eval_duration":11}
            """);

        update.Should().BeNull();
        reader.Model.Should().BeNull();
        reader.DoneReason.Should().BeNull();
        reader.Done.Should().BeFalse();
        reader.PromptEvalCount.Should().BeNull();
        reader.EvalCount.Should().BeNull();
        reader.TotalDuration.Should().BeNull();
        reader.LoadDuration.Should().BeNull();
        reader.EvalDuration.Should().Be(11, "the fields after the odd values are still read");
    }

    [Fact]
    public void The_final_line_keeps_counts_and_durations_and_carries_the_finish_reason_once()
    {
        var reader = Reader();
        Parse(reader, """{"model":"m","message":{"role":"assistant","content":"a"},"done":false}""");

        var last = Parse(reader, """
            {"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","total_duration":10,
             "load_duration":1,"prompt_eval_count":4,"prompt_eval_duration":2,"eval_count":6,"eval_duration":3}
            """);
        var afterDone = Parse(reader, """{"done":true}""");

        last!.TextDelta.Should().BeNull();
        last.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Length);
        afterDone.Should().BeNull();
        (reader.PromptEvalCount, reader.EvalCount).Should().Be((4L, 6L));
        (reader.TotalDuration, reader.LoadDuration, reader.PromptEvalDuration, reader.EvalDuration).Should().Be((10L, 1L, 2L, 3L));
    }

    [Theory]
    [InlineData("""{"model":"m","message":{"content":"a"},"done":false}""", """{"done":true}""", FinishReasonKind.Stop)] // older servers send no done_reason
    [InlineData("""{"model":"m","message":{"tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}""", """{"done":true,"done_reason":"stop"}""", FinishReasonKind.ToolCall)]
    [InlineData("""{"model":"m","message":{"tool_calls":[{"function":{"name":"f","arguments":{}}}]},"done":false}""", """{"done":true}""", FinishReasonKind.ToolCall)]
    public void The_finish_reason_follows_what_the_answer_produced(string first, string last, FinishReasonKind expected)
    {
        var reader = Reader();
        Parse(reader, first);

        Parse(reader, last)!.FinishReason!.Value.Kind.Should().Be(expected);
        reader.Complete(new GenerationMetadata()).FinishReasons.Should().ContainSingle().Which.Kind.Should().Be(expected);
    }

    [Theory]
    [InlineData("""{"model":"m","done":true,"done_reason":"load"}""")]
    [InlineData("""{"model":"m","done":true,"done_reason":"unload"}""")]
    [InlineData("""{"model":"m","done":true}""")]
    public void A_model_load_or_unload_line_or_a_done_line_without_output_has_no_finish_reason(string line)
    {
        var reader = Reader();

        Parse(reader, line).Should().BeNull();
        reader.Finish.Should().BeNull();
        reader.Complete(new GenerationMetadata()).FinishReasons.Should().BeEmpty();
    }

    [Fact]
    public void The_metadata_carries_ollamas_durations_and_done_reason_as_extras_beside_the_callers_and_none_when_it_sent_none()
    {
        var reader = Reader();
        Parse(reader, """{"model":"m","message":{"content":"a"},"done":true,"done_reason":"stop","total_duration":10,"load_duration":1,"prompt_eval_duration":2,"eval_duration":3}""");
        var bare = Reader();
        Parse(bare, """{"model":"m","message":{"content":"a"},"done":false}""");

        var extras = reader.Complete(new GenerationMetadata { ProviderExtras = new Dictionary<string, object?> { ["caller"] = 1 } }).ProviderExtras;
        var none = bare.Complete(new GenerationMetadata()).ProviderExtras;
        var kept = bare.Complete(new GenerationMetadata { ProviderExtras = new Dictionary<string, object?> { ["caller"] = 1 } }).ProviderExtras;

        extras.Should().BeEquivalentTo(new Dictionary<string, object?>
        {
            ["caller"] = 1,
            [OllamaExtras.TotalDurationNs] = 10L,
            [OllamaExtras.LoadDurationNs] = 1L,
            [OllamaExtras.PromptEvalDurationNs] = 2L,
            [OllamaExtras.EvalDurationNs] = 3L,
            [OllamaExtras.DoneReason] = "stop",
        });
        none.Should().BeNull();
        kept.Should().BeEquivalentTo(new Dictionary<string, object?> { ["caller"] = 1 });
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public void A_line_that_is_not_an_object_is_malformed(string line)
    {
        var reader = Reader();

        var parse = () => Parse(reader, line);

        parse.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void Generate_lines_read_response_and_thinking_at_the_top_level()
    {
        var reader = Reader();

        var update = Parse(reader, """{"model":"m","response":"r","thinking":"t","done":false}""");

        update!.TextDelta.Should().Be("r");
        update.ReasoningDelta.Should().Be("t");
    }

    [Fact]
    public void Tool_calls_in_the_message_each_get_their_own_index_and_a_null_list_is_none()
    {
        var reader = Reader();

        var first = Parse(reader, """{"message":{"tool_calls":[{"function":{"name":"f","arguments":{"a":1}}},{"id":"c2","function":{"name":"g","arguments":"{}"}}]}}""");
        var none = Parse(reader, """{"message":{"tool_calls":null,"content":"x"}}""");

        first!.ToolCallDeltas!.Select(c => (c.Index, c.CallId, c.Name, c.ArgumentsDelta))
            .Should().Equal((0, "", "f", """{"a":1}"""), (1, "c2", "g", "{}"));
        none!.ToolCallDeltas.Should().BeNull();
        none.TextDelta.Should().Be("x");
    }

    [Fact]
    public void An_error_value_other_than_null_is_a_generation_exception_and_a_null_error_is_not()
    {
        var reader = Reader();

        Parse(reader, """{"error":null,"message":{"content":"ok"}}""")!.TextDelta.Should().Be("ok");
        var error = () => Parse(reader, """{"error":{"message":"out of memory"}}""");
        var numeric = () => Parse(reader, """{"error":500}""");

        error.Should().Throw<GenerationException>();
        numeric.Should().Throw<GenerationException>();
    }

    [Fact]
    public void Nothing_after_the_answer_object_is_read()
    {
        var reader = Reader();

        var update = Parse(reader, """{"message":{"content":"a"}} {"message":{"content":"b"}}""");

        update!.TextDelta.Should().Be("a");
    }
}
