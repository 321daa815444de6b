using System.Text.Json;

namespace Mellea.Backends.Http;

public sealed partial class StreamedChoices
{
    /// <summary>
    /// Reads one OpenAI-style chat stream chunk (<c>{"id", "model", "choices": [{"index", "delta": {"content", "reasoning_content",
    /// "tool_calls"}, "finish_reason"}], "usage", "error"}</c>, and watsonx's <c>model_id</c> and <c>errors</c>) straight off the
    /// caller's buffer, records it here, and returns its first update; the others wait for <see cref="TryDequeuePending"/>.
    /// Per chunk it allocates the updates and their text, nothing else.
    /// </summary>
    /// <remarks>
    /// One flat loop with a single <see cref="Utf8JsonReader.Read"/> call site, dispatching on the token and the property named
    /// last: the JIT then inlines the reader's token step into it, as in a plain <c>Utf8JsonReader</c> loop, where a
    /// <c>Read</c> per property left it called out of line (bench/results/analysis.md). Only the chunk, the choices array, a
    /// choice and its delta are entered; every other object or array, and a value of an unexpected kind, is skipped whole.
    /// </remarks>
    /// <param name="data">The chunk's JSON (an SSE event's data).</param>
    /// <param name="errors">The provider's error context, for an error the chunk carries.</param>
    /// <param name="response">The response the chunk came in, for its request id.</param>
    /// <returns>The chunk's first update, or null when it carries none (a blank event, a usage-only chunk).</returns>
    /// <exception cref="JsonException">The chunk is not a JSON object, or names a choice index out of range.</exception>
    /// <exception cref="GenerationException">The chunk carries an error.</exception>
    public ChatResponseUpdate? ReadChunk(ReadOnlySpan<byte> data, ProviderErrorContext errors, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(response);
        var reader = new Utf8JsonReader(data);
        if (!reader.Read())
        {
            // A blank data line carries nothing.
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A stream chunk is not a JSON object.");
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
                        if (Choice(index, text, reasoning, toolCalls, finish) is { } update)
                        {
                            Deliver(update, ref first);
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
                case Name.FinishReason when token == JsonTokenType.String && !reader.ValueTextEquals(""u8):
                    finish = StreamJson.ReadFinishReason(ref reader);
                    break;
                case Name.Id when token == JsonTokenType.String:
                    KeepResponseId(ref reader);
                    break;
                case Name.Model when token == JsonTokenType.String:
                    KeepResponseModel(ref reader);
                    break;
                case Name.Usage when token == JsonTokenType.StartObject:
                    Usage = ReadUsage(ref reader);
                    break;
                case Name.Error when token != JsonTokenType.Null:
                    throw ProviderErrors.FromErrorEvent(data, errors, response);
                default:
                    // object, created and system_fingerprint (on every chunk, never kept), role and logprobs, anything unknown,
                    // and a value of an unexpected kind.
                    StreamJson.SkipValue(ref reader);
                    break;
            }
        }

        return first;
    }

    // The chunk's own names, the commonest first; watsonx says model_id and errors.
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

        if (reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("model_id"u8))
        {
            return Name.Model;
        }

        if (reader.ValueTextEquals("usage"u8))
        {
            return Name.Usage;
        }

        return reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("errors"u8) ? Name.Error : Name.Other;
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

    // OpenAI-style usage, with its cache and reasoning details when present.
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
}
