using System.Net.ServerSentEvents;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.Watsonx;

/// <summary>
/// Parses the events of one <c>/ml/v1/text/chat_stream</c> (SSE with <c>id:</c>/<c>event:</c> lines and no <c>[DONE]</c>) with
/// <see cref="Utf8JsonReader"/>, straight off the SSE parser's buffer: per chunk it allocates the update and its text. It keeps what the
/// final metadata needs, including the usage of the final <c>choices:[]</c> chunk that Python Mellea loses, and turns an error event
/// (<c>event: error</c>, or a payload with <c>errors</c>/<c>error</c>) into a <see cref="GenerationException"/>.
/// </summary>
internal sealed class WatsonxChatStreamParser
{
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly StreamedChoices _choices = new("A chat_stream chunk names a choice index out of range.");

    public WatsonxChatStreamParser(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        ItemParser = Parse;
    }

    /// <summary>The parser handed to <see cref="SseParser"/>; made once per stream.</summary>
    public SseItemParser<ChatResponseUpdate?> ItemParser { get; }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    public bool TryDequeuePending(out ChatResponseUpdate update) => _choices.TryDequeuePending(out update);

    /// <summary>
    /// At the end of the body, fills the stream's answer facts into <paramref name="metadata"/>, exactly as a whole answer fills them.
    /// chat_stream has no <c>[DONE]</c>: its end signal is a finish reason on every choice (the usage chunk after it is optional), and a
    /// body that ends before it throws a transport <see cref="GenerationException"/>.
    /// </summary>
    public GenerationMetadata Complete(GenerationMetadata metadata)
    {
        _choices.Complete(metadata);
        WatsonxMetadata.AddRawFinishReasons(metadata);
        return metadata;
    }

    private static UsageDetails ReadUsage(ref Utf8JsonReader reader)
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
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    private ChatResponseUpdate? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (eventType == "error")
        {
            throw ProviderErrors.FromErrorEvent(data, _errors, _response);
        }

        var reader = new Utf8JsonReader(data);
        if (!reader.Read())
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A chat_stream event is not a JSON object.");
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
            else if (reader.ValueTextEquals("model_id"u8) || reader.ValueTextEquals("model"u8))
            {
                _choices.ReadResponseModel(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    _choices.Usage = ReadUsage(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("errors"u8) || reader.ValueTextEquals("error"u8))
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
                var inObject = StreamJson.EnterObject(ref reader);
                while (inObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        text = StreamJson.ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("reasoning_content"u8))
                    {
                        reasoning = StreamJson.ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("tool_calls"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            toolCalls = StreamJson.ReadToolCalls(ref reader);
                        }
                        else
                        {
                            reader.Skip();
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
                if (reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
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
