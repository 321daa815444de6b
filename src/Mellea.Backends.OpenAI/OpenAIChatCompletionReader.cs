using System.Text.Json;

namespace Mellea.Backends.OpenAI;

/// <summary>
/// Reads a whole <c>chat.completion</c> body with <see cref="Utf8JsonReader"/> straight into the Mellea model: no wire DTO graph,
/// no second pass. It reads exactly what <c>ChatCompletionResponse</c> (the contract the raw batch path still deserializes) reads,
/// with the same rules: property names match exactly, unknown properties are skipped, a value of the wrong JSON type is a
/// malformed answer (a <see cref="JsonException"/> or one of the reader's getter exceptions, all mapped by
/// <c>ProviderErrors.FromException</c>), a later duplicate property replaces an earlier one, and nothing may follow the body.
/// </summary>
/// <remarks>
/// Only the syntax and the types are checked while reading. What the content means (an <c>error</c> on a 200, no choices, a null
/// choice) is checked afterwards, in that order, exactly as the DTO path did: see <see cref="ChatCompletionBody"/>.
/// </remarks>
internal static class OpenAIChatCompletionReader
{
    public static ChatCompletionBody Read(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadCore(json);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            // The reader's getters throw these for a value of the wrong JSON type or size (a number where a string belongs, 1.5
            // for an index) or invalid UTF-8; the serializer reported them as a JsonException, and so does this reader.
            throw new JsonException(ex.Message, ex);
        }
    }

    private static ChatCompletionBody ReadCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            throw new JsonException("The response body is empty.");
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            throw new JsonException("The response body is the JSON literal null.");
        }

        ExpectStartObject(ref reader);
        var body = new ChatCompletionBody();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                ReadChoices(ref reader, ref body);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                body.Id = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                body.Model = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                body.Usage = ReadUsage(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                body.Error = reader.TokenType == JsonTokenType.Null ? null : JsonElement.ParseValue(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Only whitespace may follow the body: the reader throws on anything else.
        if (reader.Read())
        {
            throw new JsonException("The response body has data after its JSON value.");
        }

        return body;
    }

    private static void ReadChoices(ref Utf8JsonReader reader, ref ChatCompletionBody body)
    {
        body.First = null;
        body.More = null;
        body.ChoiceCount = 0;
        body.HasNullChoice = false;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("The response's choices are not an array.");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                body.HasNullChoice = true;
                body.ChoiceCount++;
                continue;
            }

            var choice = ReadChoice(ref reader);
            if (body.ChoiceCount++ == 0)
            {
                body.First = choice;
            }
            else
            {
                (body.More ??= []).Add(choice);
            }
        }
    }

    private static ChatChoice ReadChoice(ref Utf8JsonReader reader)
    {
        ExpectStartObject(ref reader);
        var index = 0;
        string? finishReason = null;
        MessageFields message = default;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = ReadMessage(ref reader);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                finishReason = ReadFinishReason(ref reader);
            }
            else if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                index = reader.GetInt32();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return message.ToChoice(index, finishReason);
    }

    private static MessageFields ReadMessage(ref Utf8JsonReader reader)
    {
        var message = default(MessageFields);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return message;
        }

        ExpectStartObject(ref reader);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                message.Content = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                message.ToolCalls = ReadToolCalls(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                message.ReasoningContent = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning"u8))
            {
                reader.Read();
                message.Reasoning = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("function_call"u8))
            {
                reader.Read();
                message.FunctionCall = ReadFunction(ref reader) is { } legacy ? new ToolCallPart(string.Empty, legacy.Name, legacy.Arguments) : null;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return message;
    }

    private static List<ToolCallPart>? ReadToolCalls(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("The message's tool_calls are not an array.");
        }

        var calls = new List<ToolCallPart>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                throw new JsonException("The message has a null tool call.");
            }

            ExpectStartObject(ref reader);
            string? id = null;
            (string Name, string Arguments)? function = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = ReadAnyAsText(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    reader.Read();
                    function = ReadFunction(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            calls.Add(new ToolCallPart(id ?? string.Empty, function?.Name ?? string.Empty, function?.Arguments ?? string.Empty));
        }

        return calls;
    }

    /// <summary>Reads <c>{"name", "arguments"}</c>, each empty when absent; <see langword="null"/> for a JSON null.</summary>
    private static (string Name, string Arguments)? ReadFunction(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectStartObject(ref reader);
        string? name = null;
        string? arguments = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                arguments = ReadAnyAsText(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (name ?? string.Empty, arguments ?? string.Empty);
    }

    private static UsageDetails? ReadUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        ExpectStartObject(ref reader);
        long? prompt = null, completion = null, total = null, cached = null, cacheWrite = null, cacheCreation = null, reasoning = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                prompt = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                completion = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                reader.Read();
                total = ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                (cached, cacheWrite) = (null, null);
                if (reader.TokenType != JsonTokenType.Null)
                {
                    ExpectStartObject(ref reader);
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("cached_tokens"u8))
                        {
                            reader.Read();
                            cached = ReadLong(ref reader);
                        }
                        else if (reader.ValueTextEquals("cache_write_tokens"u8))
                        {
                            reader.Read();
                            cacheWrite = ReadLong(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                reader.Read();
                reasoning = null;
                if (reader.TokenType != JsonTokenType.Null)
                {
                    ExpectStartObject(ref reader);
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("reasoning_tokens"u8))
                        {
                            reader.Read();
                            reasoning = ReadLong(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                reader.Read();
                cacheCreation = ReadLong(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new UsageDetails
        {
            InputTokens = prompt,
            OutputTokens = completion,
            TotalTokens = total,
            CacheReadInputTokens = cached,
            CacheWriteInputTokens = cacheWrite ?? cacheCreation,
            ReasoningOutputTokens = reasoning,
        }.WithComputedTotal();
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    private static void ExpectStartObject(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object, found {reader.TokenType}.");
        }
    }

    /// <summary>A string or null; any other token throws from <see cref="Utf8JsonReader.GetString"/>, as a string property of the contract would fail.</summary>
    private static string? ReadString(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : reader.GetString();

    private static long? ReadLong(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();

    /// <summary>The usual finish reasons without a new string per call; anything else is read as it is.</summary>
    private static string? ReadFinishReason(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            if (reader.ValueTextEquals("stop"u8))
            {
                return "stop";
            }

            if (reader.ValueTextEquals("length"u8))
            {
                return "length";
            }

            if (reader.ValueTextEquals("tool_calls"u8))
            {
                return "tool_calls";
            }
        }

        return ReadString(ref reader);
    }

    /// <summary>A string's text, or any other value's raw JSON (a TGI int id, an object of arguments); null for JSON null.</summary>
    private static string? ReadAnyAsText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => JsonElement.ParseValue(ref reader).GetRawText(),
    };

    private struct MessageFields
    {
        public string? Content;
        public string? ReasoningContent;
        public string? Reasoning;
        public List<ToolCallPart>? ToolCalls;
        public ToolCallPart? FunctionCall;

        public readonly ChatChoice ToChoice(int index, string? finishReason)
        {
            var hasToolCalls = ToolCalls is { Count: > 0 } || FunctionCall is not null;
            ChatMessage message;
            if (!hasToolCalls)
            {
                // The common answer: one text part (an empty one when the message had no content).
                message = new ChatMessage(ChatRole.Assistant, Content ?? string.Empty);
            }
            else
            {
                var parts = new List<MessagePart>((Content is null ? 0 : 1) + (ToolCalls?.Count ?? 0) + (FunctionCall is null ? 0 : 1));
                if (Content is not null)
                {
                    parts.Add(new TextPart(Content));
                }

                if (ToolCalls is not null)
                {
                    parts.AddRange(ToolCalls);
                }

                if (FunctionCall is not null)
                {
                    parts.Add(FunctionCall);
                }

                message = new ChatMessage(ChatRole.Assistant, parts);
            }

            FinishReason? finish = finishReason is null ? null : FinishReason.Normalize(finishReason, hasToolCalls);
            return new ChatChoice(index, message, finish, ReasoningContent ?? Reasoning);
        }
    }
}

/// <summary>What <see cref="OpenAIChatCompletionReader"/> read from one body, before its meaning is checked.</summary>
internal struct ChatCompletionBody
{
    public string? Id;
    public string? Model;
    public UsageDetails? Usage;

    /// <summary>Some OpenAI-compatible servers answer 200 with an error body.</summary>
    public JsonElement? Error;

    public int ChoiceCount;
    public bool HasNullChoice;
    public ChatChoice? First;
    public List<ChatChoice>? More;

    /// <summary>The response, once the caller has ruled out an error body: at least one choice, none null, ordered by index.</summary>
    public readonly ChatResponse ToChatResponse(GenerationMetadata metadata)
    {
        if (ChoiceCount == 0)
        {
            throw new JsonException("The response has no choices.");
        }

        if (HasNullChoice)
        {
            throw new JsonException("The response has a null choice.");
        }

        ChatChoice[] choices;
        if (More is null)
        {
            choices = [First!];
        }
        else
        {
            var all = new List<ChatChoice>(ChoiceCount) { First! };
            all.AddRange(More);

            // Some servers (TGI batches) answer out of order; the Mellea model is ordered by index.
            all.Sort(static (a, b) => a.Index.CompareTo(b.Index));
            choices = [.. all];
        }

        var finishCount = 0;
        foreach (var choice in choices)
        {
            finishCount += choice.FinishReason is null ? 0 : 1;
        }

        var finishes = finishCount == 0 ? [] : new FinishReason[finishCount];
        var f = 0;
        foreach (var choice in choices)
        {
            if (choice.FinishReason is { } finish)
            {
                finishes[f++] = finish;
            }
        }

        metadata.ResponseId = string.IsNullOrEmpty(Id) ? null : Id;
        metadata.ResponseModel = string.IsNullOrEmpty(Model) ? null : Model;
        metadata.Usage = Usage;
        metadata.FinishReasons = finishes;
        return new ChatResponse(choices, metadata);
    }
}
