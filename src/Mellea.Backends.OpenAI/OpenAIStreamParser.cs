using System.Net.ServerSentEvents;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.OpenAI;

/// <summary>
/// Parses the events of one chat completion stream with <see cref="Utf8JsonReader"/>, straight off the SSE parser's buffer: per chunk
/// it allocates the update and its text, nothing else. It remembers what the final metadata needs (id, model, usage, one finish
/// reason per choice) and turns an event with a top-level <c>error</c> into a <see cref="GenerationException"/>.
/// </summary>
internal sealed class OpenAIStreamParser
{
    /// <summary>Returned for <c>data: [DONE]</c>.</summary>
    public static readonly ChatResponseUpdate Done = new();

    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    // The end signal is [DONE]; a finish reason on every choice also ends a stream, since some routers (cerebras) stop at EOF without [DONE].
    private readonly StreamedChoices _choices = new("A stream chunk names a choice index out of range.", "data: [DONE], or a finish reason on every choice");

    public OpenAIStreamParser(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        ItemParser = ParseEvent;
    }

    /// <summary>The parser handed to <see cref="SseParser"/>; made once per stream.</summary>
    public SseItemParser<OpenAIStreamEvent> ItemParser { get; }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    public bool TryDequeuePending(out ChatResponseUpdate update) => _choices.TryDequeuePending(out update);

    /// <summary>
    /// At the end of the body, fills the stream's answer facts into <paramref name="metadata"/>, exactly as a whole response fills them;
    /// throws a transport <see cref="GenerationException"/> when the body ended before <c>[DONE]</c> or a finish reason on every choice.
    /// </summary>
    public GenerationMetadata Complete(GenerationMetadata metadata) => _choices.Complete(metadata);

    internal static UsageDetails ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = new UsageDetails();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokens = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokens = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokens = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                usage.CacheWriteInputTokens ??= StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                var inPromptDetails = StreamJson.EnterObject(ref reader);
                while (inPromptDetails && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8))
                    {
                        usage.CacheReadInputTokens = StreamJson.ReadLong(ref reader);
                    }
                    else if (reader.ValueTextEquals("cache_write_tokens"u8))
                    {
                        usage.CacheWriteInputTokens = StreamJson.ReadLong(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                var inCompletionDetails = StreamJson.EnterObject(ref reader);
                while (inCompletionDetails && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("reasoning_tokens"u8))
                    {
                        usage.ReasoningOutputTokens = StreamJson.ReadLong(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    private OpenAIStreamEvent ParseEvent(string eventType, ReadOnlySpan<byte> data) => new(Parse(eventType, data));

    private ChatResponseUpdate? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            _choices.MarkEndSignal();
            return Done;
        }

        var reader = new Utf8JsonReader(data);
        if (!reader.Read())
        {
            // A blank data line carries nothing.
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A stream event is not a JSON object.");
        }

        ChatResponseUpdate? first = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (ReadChoice(ref reader) is { } update)
                    {
                        _choices.Deliver(update, ref first);
                    }
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                _choices.ReadResponseId(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                _choices.ReadResponseModel(ref reader);
            }
            else if (reader.ValueTextEquals("object"u8) || reader.ValueTextEquals("created"u8))
            {
                // On every chunk and never kept: skipped before the rarer names are tried.
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    _choices.Usage = ReadUsage(ref reader);
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw ProviderErrors.FromErrorEvent(data, _errors, _response);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return first;
    }

    private ChatResponseUpdate? ReadChoice(ref Utf8JsonReader reader)
    {
        var index = 0;
        string? text = null;
        string? reasoning = null;
        string? finish = null;
        List<ToolCallUpdate>? toolCalls = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : 0;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                var inDelta = StreamJson.EnterObject(ref reader);
                while (inDelta && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        text = StreamJson.ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
                    {
                        reasoning = StreamJson.ReadText(ref reader) ?? reasoning;
                    }
                    else if (reader.ValueTextEquals("tool_calls"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            toolCalls = StreamJson.ReadToolCalls(ref reader);
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    finish = StreamJson.ReadFinishReason(ref reader);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return _choices.Choice(index, text, reasoning, toolCalls, finish);
    }
}
