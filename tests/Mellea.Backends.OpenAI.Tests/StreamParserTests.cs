using System.Net;
using System.Text;
using Mellea.Backends.Http;
using Mellea.Backends.OpenAI;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>
/// The stream chunk parser reads each chunk in one flat token loop; these chunks hold values of kinds and nestings that no
/// server sends today, to show that only the chunk's, the choices' and the deltas' own fields are read and everything else is
/// passed over.
/// </summary>
public sealed class StreamParserTests : IDisposable
{
    private readonly HttpResponseMessage _response = new(HttpStatusCode.OK);

    public void Dispose() => _response.Dispose();

    private OpenAIStreamParser Parser() => new(new ProviderErrorContext("openai"), _response);

    private static ChatResponseUpdate? Parse(OpenAIStreamParser parser, string json) => parser.ItemParser("message", Encoding.UTF8.GetBytes(json)).Update;

    // The stream's end signal, then the facts the chunks left for the final metadata.
    private static GenerationMetadata Complete(OpenAIStreamParser parser)
    {
        Parse(parser, "[DONE]");
        return parser.Complete(new GenerationMetadata());
    }

    private static List<ChatResponseUpdate> Pending(OpenAIStreamParser parser)
    {
        var updates = new List<ChatResponseUpdate>();
        while (parser.TryDequeuePending(out var update))
        {
            updates.Add(update);
        }

        return updates;
    }

    [Fact]
    public void Text_is_read_only_from_a_delta_and_nested_unknown_values_are_passed_over()
    {
        var parser = Parser();

        var update = Parse(parser, """
            {"id":"c1","extra":{"choices":[{"delta":{"content":"not this"}}]},"content":"no","model":"m",
             "choices":[{"index":0,"logprobs":{"content":[{"token":"no"}]},"message":{"content":"no"},
                         "delta":{"role":"assistant","meta":{"content":"no"},"content":"yes"},"finish_reason":null}],
             "usage":null,"object":"chat.completion.chunk"}
            """);

        update!.TextDelta.Should().Be("yes");
        var metadata = Complete(parser);
        (metadata.ResponseId, metadata.ResponseModel).Should().Be(("c1", "m"));
        metadata.Usage.Should().BeNull();
    }

    [Fact]
    public void Several_choices_in_one_chunk_become_one_update_each_in_order()
    {
        var parser = Parser();

        var first = Parse(parser, """
            {"choices":[{"index":1,"delta":{"content":"b"}},7,{"index":0,"delta":{"reasoning_content":"r","content":"a"},"finish_reason":"length"},
                        {"delta":{"reasoning":"r2"},"index":2}]}
            """);

        first!.ChoiceIndex.Should().Be(1);
        first.TextDelta.Should().Be("b");
        Pending(parser).Select(u => (u.ChoiceIndex, u.TextDelta, u.ReasoningDelta, u.FinishReason?.Kind))
            .Should().Equal((0, "a", "r", FinishReasonKind.Length), (2, null, "r2", null));
    }

    [Fact]
    public void An_escaped_property_name_is_read_as_its_unescaped_name()
    {
        var parser = Parser();

        var update = Parse(parser, """{"\u0069d":"c1","ch\u006fices":[{"delt\u0061":{"c\u006fntent":"hi"},"finish\u005freason":"stop"}]}""");

        update!.TextDelta.Should().Be("hi");
        update.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
        Complete(parser).ResponseId.Should().Be("c1");
    }

    [Fact]
    public void Values_of_an_unexpected_kind_are_skipped_and_the_fields_after_them_still_read()
    {
        var parser = Parser();

        var update = Parse(parser, """
            {"id":{"choices":[]},"model":["x"],"usage":7,"choices":{"delta":{"content":"no"}},"error":null,
             "choices":[{"index":{"n":1},"delta":"text","finish_reason":{"why":"stop"},"index":"2","delta":{"content":{"a":1},"tool_calls":{"x":1}}}],
             "id":"c2","model":"m2","usage":{"prompt_tokens":3,"completion_tokens":4}}
            """);

        update!.ChoiceIndex.Should().Be(0);
        update.TextDelta.Should().Be("""{"a":1}""", "an object where text is expected is kept as its JSON text");
        update.FinishReason.Should().BeNull();
        var metadata = Complete(parser);
        (metadata.ResponseId, metadata.ResponseModel).Should().Be(("c2", "m2"));
        (metadata.Usage!.InputTokens, metadata.Usage.OutputTokens, metadata.Usage.TotalTokens).Should().Be((3L, 4L, 7L));
    }

    [Fact]
    public void Tool_call_fragments_are_read_from_the_delta()
    {
        var parser = Parser();

        var update = Parse(parser, """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t1","function":{"name":"f","arguments":"{\"a\""}}]}}]}""");

        update!.ToolCallDeltas!.Select(c => (c.Index, c.CallId, c.Name, c.ArgumentsDelta)).Should().Equal((0, "t1", "f", "{\"a\""));
    }

    [Fact]
    public void A_plain_stop_after_streamed_tool_calls_is_a_tool_call_finish_for_that_choice_only()
    {
        var parser = Parser();

        Parse(parser, """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t1","function":{"name":"f","arguments":"{}"}}]}},{"index":1,"delta":{"content":"text"}}]}""");
        Pending(parser);
        var finished = Parse(parser, """{"choices":[{"index":0,"delta":{},"finish_reason":"stop"},{"index":1,"delta":{},"finish_reason":"stop"}]}""");
        var second = Pending(parser).Single();

        finished!.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.ToolCall, "providers such as Ollama and watsonx say stop on a tool-call turn");
        second.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
    }

    [Theory]
    [InlineData("""{"choices":[{"index":1025,"delta":{"content":"x"}}]}""")]
    [InlineData("""{"choices":[{"index":-1,"delta":{"content":"x"}}]}""")]
    [InlineData("""[{"choices":[]}]""")]
    [InlineData("\"just a string\"")]
    public void A_chunk_that_is_not_an_object_or_names_a_choice_out_of_range_is_malformed(string chunk)
    {
        var parser = Parser();

        var parse = () => Parse(parser, chunk);

        parse.Should().Throw<System.Text.Json.JsonException>();
    }

    [Fact]
    public void The_highest_choice_index_allowed_is_read()
    {
        var parser = Parser();

        Parse(parser, """{"choices":[{"index":1024,"delta":{"content":"x"}}]}""")!.ChoiceIndex.Should().Be(StreamedChoices.MaxChoiceIndex);
    }

    [Fact]
    public void An_error_value_other_than_null_is_a_generation_exception()
    {
        var parser = Parser();

        var error = () => Parse(parser, """{"choices":[],"error":{"message":"overloaded"}}""");

        error.Should().Throw<GenerationException>();
    }

    [Fact]
    public void The_shared_chunk_reader_takes_watsonx_names_and_an_empty_finish_reason_is_none()
    {
        var choices = new StreamedChoices("A chunk names a choice index out of range.");
        var errors = new ProviderErrorContext("ibm.watsonx.ai");

        var first = choices.ReadChunk("""{"id":"c1","model_id":"ibm/granite","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":""}],"errors":null}"""u8, errors, _response);
        var last = choices.ReadChunk("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"""u8, errors, _response);
        var refused = () => choices.ReadChunk("""{"errors":[{"code":"bad_request","message":"no"}]}"""u8, errors, _response);

        first!.TextDelta.Should().Be("hi");
        first.FinishReason.Should().BeNull("an empty finish reason is no finish");
        last!.FinishReason!.Value.Kind.Should().Be(FinishReasonKind.Stop);
        var metadata = choices.Complete(new GenerationMetadata());
        (metadata.ResponseId, metadata.ResponseModel).Should().Be(("c1", "ibm/granite"));
        refused.Should().Throw<GenerationException>();
    }

    [Fact]
    public void Nothing_after_the_chunk_object_is_read()
    {
        var parser = Parser();

        var update = Parse(parser, """{"choices":[{"delta":{"content":"a"}}]} {"choices":[{"delta":{"content":"b"}}]}""");

        update!.TextDelta.Should().Be("a");
        Pending(parser).Should().BeEmpty();
    }
}
