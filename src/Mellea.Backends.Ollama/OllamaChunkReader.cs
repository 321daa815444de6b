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
    // Longer than every property name this reader knows ("prompt_eval_duration" is 20 bytes).
    private const int NameScratchLength = 32;

    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private int _toolCallCount;
    private byte[]? _escapedName;

    public OllamaChunkReader(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        LineParser = ParseLine;
    }

    /// <summary>The parser handed to the NDJSON reader; made once per call.</summary>
    public JsonLineParser<OllamaLine> LineParser { get; }

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

    /// <summary>Parses one NDJSON line: <see cref="Parse"/> as the stream's item.</summary>
    public OllamaLine ParseLine(ReadOnlySpan<byte> json) => new(Parse(json));

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
        var inMessage = false;
        var field = Field.Other;

        // One Read per token, in one flat loop over the answer and its message: the reader's token step is then inlined here
        // once, as in a plain Utf8JsonReader loop, instead of called out of line from a Read per property (bench/results/analysis.md).
        while (reader.Read())
        {
            var token = reader.TokenType;
            if (token == JsonTokenType.PropertyName)
            {
                field = inMessage ? MessageName(PropertyName(ref reader)) : TopLevelName(PropertyName(ref reader));
                continue;
            }

            if (token == JsonTokenType.EndObject)
            {
                // The message's end, or the answer's: nothing after the answer is read.
                if (!inMessage)
                {
                    break;
                }

                inMessage = false;
                continue;
            }

            // Every other token is the value of the property named last.
            switch (field)
            {
                case Field.Content or Field.Response:
                    text = TextValue(ref reader);
                    break;
                case Field.Thinking:
                    thinking = TextValue(ref reader);
                    break;
                case Field.Message when token == JsonTokenType.StartObject:
                    inMessage = true;
                    break;
                case Field.ToolCalls when token == JsonTokenType.StartArray:
                    toolCalls = ReadToolCalls(ref reader, json);
                    break;
                case Field.Model when token == JsonTokenType.String:
                    if (Model is null && !reader.ValueTextEquals(""u8))
                    {
                        Model = reader.GetString();
                    }

                    break;
                case Field.Done when token == JsonTokenType.True:
                    Done = true;
                    break;
                case Field.DoneReason when token == JsonTokenType.String:
                    DoneReason = StreamJson.ReadFinishReason(ref reader);
                    break;
                case Field.PromptEvalCount:
                    PromptEvalCount = LongValue(ref reader);
                    break;
                case Field.EvalCount:
                    EvalCount = LongValue(ref reader);
                    break;
                case Field.TotalDuration:
                    TotalDuration = LongValue(ref reader);
                    break;
                case Field.LoadDuration:
                    LoadDuration = LongValue(ref reader);
                    break;
                case Field.PromptEvalDuration:
                    PromptEvalDuration = LongValue(ref reader);
                    break;
                case Field.EvalDuration:
                    EvalDuration = LongValue(ref reader);
                    break;
                case Field.Error when token != JsonTokenType.Null:
                    throw ProviderErrors.FromErrorEvent(json, _errors, _response);
                default:
                    // created_at and role (on every line), anything unknown, and a value of an unexpected kind.
                    StreamJson.SkipValue(ref reader);
                    break;
            }
        }

        if (thinking is null && toolCalls is null && (wasDone || !Done))
        {
            // Nearly every line: a piece of text and nothing else, so the update gets only that field.
            if (text is null)
            {
                return null;
            }

            ProducedOutput = true;
            return new ChatResponseUpdate { TextDelta = text };
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

    // Property names are matched on their raw bytes, by length first: one comparison per property instead of a chain of
    // ValueTextEquals calls, which on Ollama's short lines was a measurable share of the parse (bench/results/analysis.md).
    private ReadOnlySpan<byte> PropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        // An escaped name (no server sends one) is unescaped into a buffer made the first time; one longer than any known
        // name matches nothing.
        var scratch = _escapedName ??= new byte[NameScratchLength];
        return reader.ValueSpan.Length <= scratch.Length ? scratch.AsSpan(0, reader.CopyString(scratch)) : [];
    }

    // A count or a duration: null when the value is not a whole number that fits a long.
    private static long? LongValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        StreamJson.SkipValue(ref reader);
        return null;
    }

    private static Field TopLevelName(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("done"u8) => Field.Done,
        5 when name.SequenceEqual("model"u8) => Field.Model,
        5 when name.SequenceEqual("error"u8) => Field.Error,
        7 when name.SequenceEqual("message"u8) => Field.Message,
        8 when name.SequenceEqual("response"u8) => Field.Response,
        8 when name.SequenceEqual("thinking"u8) => Field.Thinking,
        10 when name.SequenceEqual("eval_count"u8) => Field.EvalCount,
        11 when name.SequenceEqual("done_reason"u8) => Field.DoneReason,
        13 when name.SequenceEqual("load_duration"u8) => Field.LoadDuration,
        13 when name.SequenceEqual("eval_duration"u8) => Field.EvalDuration,
        14 when name.SequenceEqual("total_duration"u8) => Field.TotalDuration,
        17 when name.SequenceEqual("prompt_eval_count"u8) => Field.PromptEvalCount,
        20 when name.SequenceEqual("prompt_eval_duration"u8) => Field.PromptEvalDuration,
        _ => Field.Other,
    };

    private static Field MessageName(ReadOnlySpan<byte> name) => name.Length switch
    {
        7 when name.SequenceEqual("content"u8) => Field.Content,
        8 when name.SequenceEqual("thinking"u8) => Field.Thinking,
        10 when name.SequenceEqual("tool_calls"u8) => Field.ToolCalls,
        _ => Field.Other,
    };

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
        return TextValue(ref reader);
    }

    // The text of the value the reader stands on (see ReadText).
    private static string? TextValue(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        // The final line's empty content carries nothing; an interned empty string would still be an update.
        JsonTokenType.String => reader.ValueSpan.IsEmpty && !reader.HasValueSequence ? null : reader.GetString(),
        JsonTokenType.StartObject or JsonTokenType.StartArray => SkipAndReturnNull(ref reader),
        _ => null,
    };

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

    private enum Field
    {
        Other,
        Message,
        Model,
        Done,
        Response,
        Thinking,
        DoneReason,
        PromptEvalCount,
        EvalCount,
        TotalDuration,
        LoadDuration,
        PromptEvalDuration,
        EvalDuration,
        Error,
        Content,
        ToolCalls,
    }
}
