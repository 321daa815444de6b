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
        var scope = Scope.Chunk;
        var name = Name.Other;

        // The choice being read.
        var index = 0;
        string? text = null;
        string? reasoning = null;
        string? finish = null;
        List<ToolCallUpdate>? toolCalls = null;

        // One Read per token, in one flat loop over the chunk, its choices and their deltas: the reader's token step is then
        // inlined here once, as in a plain Utf8JsonReader loop, instead of called out of line from a Read per property
        // (bench/results/analysis.md). Only the chunk, the choices array, a choice and its delta are entered; every other
        // object or array is skipped whole.
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token == JsonTokenType.PropertyName)
            {
                name = scope switch
                {
                    Scope.Chunk => ChunkName(ref reader),
                    Scope.Choice => ChoiceName(ref reader),
                    _ => DeltaName(ref reader),
                };
                continue;
            }

            if (token == JsonTokenType.EndObject)
            {
                switch (scope)
                {
                    case Scope.Delta:
                        scope = Scope.Choice;
                        continue;
                    case Scope.Choice:
                        if (_choices.Choice(index, text, reasoning, toolCalls, finish) is { } update)
                        {
                            _choices.Deliver(update, ref first);
                        }

                        scope = Scope.Choices;
                        continue;
                    default:
                        // The chunk's end: nothing after it is read.
                        return first;
                }
            }

            if (scope == Scope.Choices)
            {
                if (token == JsonTokenType.EndArray)
                {
                    scope = Scope.Chunk;
                }
                else if (token == JsonTokenType.StartObject)
                {
                    scope = Scope.Choice;
                    index = 0;
                    text = reasoning = finish = null;
                    toolCalls = null;
                }
                else
                {
                    // An element that is not a choice object.
                    StreamJson.SkipValue(ref reader);
                }

                continue;
            }

            // Every other token is the value of the property named last.
            switch (name)
            {
                case Name.Choices when token == JsonTokenType.StartArray:
                    scope = Scope.Choices;
                    break;
                case Name.Delta when token == JsonTokenType.StartObject:
                    scope = Scope.Delta;
                    break;
                case Name.Content:
                    text = StreamJson.ValueText(ref reader);
                    break;
                case Name.Reasoning:
                    reasoning = StreamJson.ValueText(ref reader) ?? reasoning;
                    break;
                case Name.ToolCalls when token == JsonTokenType.StartArray:
                    toolCalls = StreamJson.ReadToolCalls(ref reader);
                    break;
                case Name.Index when token == JsonTokenType.Number:
                    index = reader.GetInt32();
                    break;
                case Name.FinishReason when token == JsonTokenType.String:
                    finish = StreamJson.ReadFinishReason(ref reader);
                    break;
                case Name.Id when token == JsonTokenType.String:
                    _choices.KeepResponseId(ref reader);
                    break;
                case Name.Model when token == JsonTokenType.String:
                    _choices.KeepResponseModel(ref reader);
                    break;
                case Name.Usage when token == JsonTokenType.StartObject:
                    _choices.Usage = ReadUsage(ref reader);
                    break;
                case Name.Error when token != JsonTokenType.Null:
                    throw ProviderErrors.FromErrorEvent(data, _errors, _response);
                default:
                    // object, created and system_fingerprint (on every chunk, never kept), role and logprobs, anything unknown,
                    // and a value of an unexpected kind.
                    StreamJson.SkipValue(ref reader);
                    break;
            }
        }

        return first;
    }

    // The chunk's own names, the commonest first.
    private static Name ChunkName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("choices"u8))
        {
            return Name.Choices;
        }

        if (reader.ValueTextEquals("id"u8))
        {
            return Name.Id;
        }

        if (reader.ValueTextEquals("model"u8))
        {
            return Name.Model;
        }

        if (reader.ValueTextEquals("usage"u8))
        {
            return Name.Usage;
        }

        return reader.ValueTextEquals("error"u8) ? Name.Error : Name.Other;
    }

    private static Name ChoiceName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("delta"u8))
        {
            return Name.Delta;
        }

        if (reader.ValueTextEquals("index"u8))
        {
            return Name.Index;
        }

        return reader.ValueTextEquals("finish_reason"u8) ? Name.FinishReason : Name.Other;
    }

    private static Name DeltaName(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("content"u8))
        {
            return Name.Content;
        }

        if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
        {
            return Name.Reasoning;
        }

        return reader.ValueTextEquals("tool_calls"u8) ? Name.ToolCalls : Name.Other;
    }

    // Where the flat loop stands: which object's property names it is reading, or the choices array's elements.
    private enum Scope
    {
        Chunk,
        Choices,
        Choice,
        Delta,
    }

    private enum Name
    {
        Other,
        Choices,
        Id,
        Model,
        Usage,
        Error,
        Delta,
        Index,
        FinishReason,
        Content,
        Reasoning,
        ToolCalls,
    }
}
