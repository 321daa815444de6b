using System.Text;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.Ollama;

/// <summary>
/// Reads Ollama's native answer objects (an NDJSON line of <c>/api/chat</c> or <c>/api/generate</c>, or a whole non-streamed body)
/// with <see cref="Utf8JsonReader"/>: per line it allocates the update and its text, nothing else. It remembers what the final
/// metadata needs (model, counts, durations, <c>done_reason</c>) and turns an <c>{"error":…}</c> line into a <see cref="GenerationException"/>.
/// </summary>
internal sealed class OllamaChunkReader
{
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private int _toolCallCount;

    public OllamaChunkReader(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        LineParser = Parse;
    }

    /// <summary>The parser handed to the NDJSON reader; made once per call.</summary>
    public JsonLineParser<ChatResponseUpdate?> LineParser { get; }

    public string? Model { get; private set; }

    public bool Done { get; private set; }

    public string? DoneReason { get; private set; }

    public bool ProducedOutput { get; private set; }

    public bool HasToolCalls => _toolCallCount > 0;

    public long? PromptEvalCount { get; private set; }

    public long? EvalCount { get; private set; }

    public long? TotalDuration { get; private set; }

    public long? LoadDuration { get; private set; }

    public long? PromptEvalDuration { get; private set; }

    public long? EvalDuration { get; private set; }

    /// <summary>
    /// The normalized finish reason, per the table in backends.md section 6: <c>stop</c> (tool_call when tool calls came) and <c>length</c>;
    /// none for <c>load</c>/<c>unload</c>; and <c>stop</c> for a finished answer whose <c>done_reason</c> is missing (older servers).
    /// </summary>
    public FinishReason? Finish
    {
        get
        {
            if (!Done)
            {
                return null;
            }

            return DoneReason switch
            {
                null => ProducedOutput ? FinishReason.Normalize("stop", HasToolCalls) : null,
                "load" or "unload" => null,
                { } raw => FinishReason.Normalize(raw, HasToolCalls),
            };
        }
    }

    /// <summary>Fills the answer's facts into <paramref name="metadata"/>: the same fields whether the answer was streamed or not.</summary>
    public GenerationMetadata Complete(GenerationMetadata metadata)
    {
        metadata.ResponseModel = Model;
        metadata.ResponseId = null;
        metadata.FinishReasons = Finish is { } finish ? [finish] : [];
        metadata.Usage = ToUsage();
        metadata.ProviderExtras = ToExtras(metadata.ProviderExtras);
        return metadata;
    }

    public UsageDetails? ToUsage() =>
        PromptEvalCount is null && EvalCount is null ? null : new UsageDetails { InputTokens = PromptEvalCount, OutputTokens = EvalCount }.WithComputedTotal();

    public Dictionary<string, object?>? ToExtras(IDictionary<string, object?>? existing)
    {
        if (TotalDuration is null && LoadDuration is null && PromptEvalDuration is null && EvalDuration is null && DoneReason is null)
        {
            return existing is null ? null : new Dictionary<string, object?>(existing, StringComparer.Ordinal);
        }

        var extras = existing is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(existing, StringComparer.Ordinal);
        Put(extras, OllamaExtras.TotalDurationNs, TotalDuration);
        Put(extras, OllamaExtras.LoadDurationNs, LoadDuration);
        Put(extras, OllamaExtras.PromptEvalDurationNs, PromptEvalDuration);
        Put(extras, OllamaExtras.EvalDurationNs, EvalDuration);
        if (DoneReason is not null)
        {
            extras[OllamaExtras.DoneReason] = DoneReason;
        }

        return extras;
    }

    /// <summary>Parses one answer object. Returns the update it carries, or null when it carries nothing to show.</summary>
    public ChatResponseUpdate? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An Ollama answer line is not a JSON object.");
        }

        string? text = null;
        string? thinking = null;
        List<ToolCallUpdate>? toolCalls = null;
        var wasDone = Done;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("content"u8))
                    {
                        text = ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("role"u8))
                    {
                        // On every line: skipped before the rarer names are tried.
                        reader.Read();
                        reader.Skip();
                    }
                    else if (reader.ValueTextEquals("thinking"u8))
                    {
                        thinking = ReadText(ref reader);
                    }
                    else if (reader.ValueTextEquals("tool_calls"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            toolCalls = ReadToolCalls(ref reader, json);
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
            else if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (Model is null && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
                {
                    Model = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("created_at"u8))
            {
                // On every line and never kept: skipped before the rarer names are tried.
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("done"u8))
            {
                reader.Read();
                Done |= reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                text = ReadText(ref reader);
            }
            else if (reader.ValueTextEquals("thinking"u8))
            {
                thinking = ReadText(ref reader);
            }
            else if (reader.ValueTextEquals("done_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    DoneReason = StreamJson.ReadFinishReason(ref reader);
                }
            }
            else if (reader.ValueTextEquals("prompt_eval_count"u8))
            {
                PromptEvalCount = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("eval_count"u8))
            {
                EvalCount = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("total_duration"u8))
            {
                TotalDuration = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("load_duration"u8))
            {
                LoadDuration = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_eval_duration"u8))
            {
                PromptEvalDuration = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("eval_duration"u8))
            {
                EvalDuration = StreamJson.ReadLong(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw ProviderErrors.FromErrorEvent(json, _errors, _response);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (text is not null || thinking is not null || toolCalls is not null)
        {
            ProducedOutput = true;
        }

        var finish = !wasDone && Done ? Finish : null;
        if (text is null && thinking is null && toolCalls is null && finish is null)
        {
            return null;
        }

        return new ChatResponseUpdate { TextDelta = text, ReasoningDelta = thinking, ToolCallDeltas = toolCalls, FinishReason = finish };
    }

    private static void Put(Dictionary<string, object?> extras, string key, long? value)
    {
        if (value is { } v)
        {
            extras[key] = v;
        }
    }

    // Not StreamJson.ReadText, whose OpenAI-style reading keeps an object or array as raw JSON and a number as its literal:
    // here both yield no text, as Ollama's reader always has.
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            // The final line's empty content carries nothing; an interned empty string would still be an update.
            JsonTokenType.String => reader.ValueSpan.IsEmpty && !reader.HasValueSequence ? null : reader.GetString(),
            JsonTokenType.StartObject or JsonTokenType.StartArray => SkipAndReturnNull(ref reader),
            _ => null,
        };
    }

    private static string? SkipAndReturnNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private List<ToolCallUpdate> ReadToolCalls(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var calls = new List<ToolCallUpdate>(1);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? id = null;
            string? name = null;
            string? arguments = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadText(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    var inObject = StreamJson.EnterObject(ref reader);
                    while (inObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            name = ReadText(ref reader);
                        }
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            arguments = ReadArguments(ref reader, json);
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

            // Ollama sends each call whole, so each gets its own index; arguments are kept as the JSON object text.
            calls.Add(new ToolCallUpdate { Index = _toolCallCount++, CallId = id ?? string.Empty, Name = name ?? string.Empty, ArgumentsDelta = arguments ?? "{}" });
        }

        return calls;
    }

    private static string? ReadArguments(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
            case JsonTokenType.String:
                return reader.GetString();
            default:
                return null;
        }
    }
}
