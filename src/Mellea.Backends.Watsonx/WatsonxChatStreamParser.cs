using System.Net.ServerSentEvents;
using System.Text;
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
    private const int MaxChoiceIndex = 1024;

    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly List<ChoiceState> _choices = [];
    private Queue<ChatResponseUpdate>? _pending;
    private string? _responseId;
    private string? _responseModel;
    private UsageDetails? _usage;

    public WatsonxChatStreamParser(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        ItemParser = Parse;
    }

    /// <summary>The parser handed to <see cref="SseParser"/>; made once per stream.</summary>
    public SseItemParser<ChatResponseUpdate?> ItemParser { get; }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    public bool TryDequeuePending(out ChatResponseUpdate update)
    {
        if (_pending is { Count: > 0 } pending)
        {
            update = pending.Dequeue();
            return true;
        }

        update = null!;
        return false;
    }

    /// <summary>Fills the stream's answer facts into <paramref name="metadata"/>, exactly as a whole answer fills them.</summary>
    public GenerationMetadata Complete(GenerationMetadata metadata)
    {
        metadata.ResponseId = _responseId;
        metadata.ResponseModel = _responseModel;
        metadata.Usage = _usage?.WithComputedTotal();
        var finishes = new List<FinishReason>(_choices.Count);
        foreach (var choice in _choices)
        {
            if (choice.Finish is { } finish)
            {
                finishes.Add(finish);
            }
        }

        metadata.FinishReasons = finishes;
        WatsonxMetadata.AddRawFinishReasons(metadata);
        return metadata;
    }

    /// <summary>Moves onto a property's value: true when it is an object to walk, false (with the value skipped) otherwise.</summary>
    private static bool EnterObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    private static long? ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
    }

    private static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.ValueTextEquals(""u8) ? null : reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.StartObject or JsonTokenType.StartArray => ReadRaw(ref reader),
            _ => null,
        };
    }

    private static string ReadRaw(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    private static UsageDetails ReadUsage(ref Utf8JsonReader reader)
    {
        var usage = new UsageDetails();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokens = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokens = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokens = ReadLong(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return usage;
    }

    private static List<ToolCallUpdate> ReadToolCalls(ref Utf8JsonReader reader)
    {
        var calls = new List<ToolCallUpdate>(1);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var index = calls.Count;
            string? id = null;
            string? name = null;
            string? arguments = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    index = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : index;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadText(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    var inObject = EnterObject(ref reader);
                    while (inObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            name = ReadText(ref reader);
                        }
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            arguments = ReadText(ref reader);
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

            calls.Add(new ToolCallUpdate { Index = index, CallId = id, Name = name, ArgumentsDelta = arguments });
        }

        return calls;
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
                        if (first is null)
                        {
                            first = update;
                        }
                        else
                        {
                            (_pending ??= new()).Enqueue(update);
                        }
                    }
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (_responseId is null && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
                {
                    _responseId = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("model_id"u8) || reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (_responseModel is null && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
                {
                    _responseModel = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    _usage = ReadUsage(ref reader);
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
                var inObject = EnterObject(ref reader);
                while (inObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        text = ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("reasoning_content"u8))
                    {
                        reasoning = ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("tool_calls"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            toolCalls = ReadToolCalls(ref reader);
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
                    finish = WatsonxMetadata.InternFinishReason(ref reader);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var state = Choice(index);
        if (toolCalls is { Count: > 0 })
        {
            state.HasToolCalls = true;
        }
        else
        {
            toolCalls = null;
        }

        FinishReason? finishReason = null;
        if (finish is not null)
        {
            finishReason = FinishReason.Normalize(finish, state.HasToolCalls);
            state.Finish = finishReason;
        }

        if (text is null && reasoning is null && toolCalls is null && finishReason is null)
        {
            return null;
        }

        return new ChatResponseUpdate { ChoiceIndex = index, TextDelta = text, ReasoningDelta = reasoning, ToolCallDeltas = toolCalls, FinishReason = finishReason };
    }

    private ChoiceState Choice(int index)
    {
        if (index is < 0 or > MaxChoiceIndex)
        {
            throw new JsonException("A chat_stream chunk names a choice index out of range.");
        }

        while (_choices.Count <= index)
        {
            _choices.Add(new ChoiceState());
        }

        return _choices[index];
    }

    private sealed class ChoiceState
    {
        public bool HasToolCalls { get; set; }

        public FinishReason? Finish { get; set; }
    }
}
