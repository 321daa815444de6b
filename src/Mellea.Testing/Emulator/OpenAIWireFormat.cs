using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>
/// The OpenAI wire format: <c>POST /v1/chat/completions</c> (whole or SSE with <c>data: [DONE]</c>, a usage chunk with <c>choices: []</c> when
/// <c>stream_options.include_usage</c> is set, interleaved choices for <c>n</c> &gt; 1, tool-call deltas) and <c>POST /v1/completions</c> with a
/// prompt string or array (one choice per prompt × <c>n</c>). The <c>/v1</c> prefix is optional, as on LiteLLM.
/// </summary>
public class OpenAIWireFormat : EmulatorWireFormat
{
    private long _counter;

    /// <inheritdoc/>
    public override string Name => "openai";

    /// <inheritdoc/>
    public override bool Handles(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsChat(request) || IsCompletions(request);
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var chat = IsChat(request);
        var id = ResponseId(script, chat);
        var model = ResponseModel(script, request);
        var body = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", chat ? "chat.completion" : "text_completion");
            writer.WriteNumber("created", 1_770_000_000);
            writer.WriteString("model", model);
            writer.WriteStartArray("choices");
            var choices = chat ? ChatChoices(script, request) : CompletionChoices(script, request);
            var order = Enumerable.Range(0, choices.Count);
            foreach (var index in script.ReverseChoiceOrder ? order.Reverse() : order)
            {
                var choice = choices[index];
                writer.WriteStartObject();
                writer.WriteNumber("index", index);
                if (chat)
                {
                    writer.WriteStartObject("message");
                    writer.WriteString("role", "assistant");
                    if (choice.TextChunks.Count == 0 && choice.ToolCalls.Count > 0)
                    {
                        writer.WriteNull("content");
                    }
                    else
                    {
                        writer.WriteString("content", choice.Text);
                    }

                    if (choice.ReasoningChunks.Count > 0)
                    {
                        writer.WriteString("reasoning_content", string.Concat(choice.ReasoningChunks));
                    }

                    if (choice.ToolCalls.Count > 0)
                    {
                        writer.WriteStartArray("tool_calls");
                        foreach (var call in choice.ToolCalls)
                        {
                            writer.WriteStartObject();
                            writer.WriteString("id", call.Id);
                            writer.WriteString("type", "function");
                            writer.WriteStartObject("function");
                            writer.WriteString("name", call.Name);
                            writer.WriteString("arguments", call.Arguments);
                            writer.WriteEndObject();
                            writer.WriteEndObject();
                        }

                        writer.WriteEndArray();
                    }

                    writer.WriteNull("refusal");
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteString("text", choice.Text);
                }

                writer.WriteNull("logprobs");
                writer.WriteString("finish_reason", choice.EffectiveFinishReason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (script.Usage is { } usage)
            {
                WriteUsage(writer, usage);
            }

            writer.WriteEndObject();
        });
        return new EmulatorResponse(200, body);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var id = ResponseId(script, chat: true);
        var model = ResponseModel(script, request);
        var frames = new List<string>();
        var choices = ChatChoices(script, request);

        // Every choice's parts, then interleaved round-robin across choices as OpenAI does for n > 1.
        var perChoice = choices.Select((choice, index) => ChoiceDeltas(choice, index).ToList()).ToList();
        var longest = perChoice.Count == 0 ? 0 : perChoice.Max(d => d.Count);
        for (var step = 0; step < longest; step++)
        {
            for (var index = 0; index < perChoice.Count; index++)
            {
                if (step < perChoice[index].Count)
                {
                    frames.Add(Frame(id, model, index, perChoice[index][step], finishReason: null));
                }
            }
        }

        for (var index = 0; index < choices.Count; index++)
        {
            frames.Add(Frame(id, model, index, static _ => { }, choices[index].EffectiveFinishReason));
        }

        if (script.Usage is { } usage && IncludeUsage(request))
        {
            frames.Add("data: " + Write(writer =>
            {
                WriteChunkHead(writer, id, model);
                writer.WriteStartArray("choices");
                writer.WriteEndArray();
                WriteUsage(writer, usage);
                writer.WriteEndObject();
            }) + "\n\n");
        }

        frames.Add("data: [DONE]\n\n");
        return frames;
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var body = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", fault.Message ?? DefaultMessage(fault.StatusCode));
            WriteErrorTypeAndCode(writer, fault);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        return new EmulatorResponse(fault.StatusCode, body);
    }

    /// <inheritdoc/>
    public override string RenderErrorEvent(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return "data: " + Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", fault.Message ?? DefaultMessage(fault.StatusCode));
            WriteErrorTypeAndCode(writer, fault);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }) + "\n\n";
    }

    /// <summary>Writes an error's <c>type</c>, <c>param</c> and <c>code</c> (OpenAI: a type name and a code name or null).</summary>
    /// <param name="writer">The writer, inside the <c>error</c> object.</param>
    /// <param name="fault">The fault.</param>
    protected virtual void WriteErrorTypeAndCode(Utf8JsonWriter writer, EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fault);
        writer.WriteString("type", fault.Type ?? fault.StatusCode switch
        {
            401 or 403 or 400 or 404 => "invalid_request_error",
            429 => "requests",
            _ => "server_error",
        });
        writer.WriteNull("param");
        var code = fault.Code ?? fault.StatusCode switch
        {
            401 => "invalid_api_key",
            429 => "rate_limit_exceeded",
            404 => "model_not_found",
            _ => null,
        };
        if (code is null)
        {
            writer.WriteNull("code");
        }
        else
        {
            writer.WriteString("code", code);
        }
    }

    /// <summary>Renders a JSON value with a writer.</summary>
    /// <param name="write">Writes the value.</param>
    protected static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsChat(RecordedRequest request) =>
        request.Method == "POST" && (request.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    private static bool IsCompletions(RecordedRequest request) =>
        request.Method == "POST" && (request.Path == "/v1/completions" || request.Path == "/completions");

    private static bool IncludeUsage(RecordedRequest request) =>
        request.JsonProperty("stream_options") is { ValueKind: JsonValueKind.Object } options
        && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;

    private static int RequestedChoiceCount(RecordedRequest request) =>
        request.JsonProperty("n") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var count) && count > 0 ? count : 1;

    private static List<ScriptedChoice> ChatChoices(EmulatorScript script, RecordedRequest request)
    {
        var wanted = Math.Max(RequestedChoiceCount(request), script.Choices.Count);
        var result = new List<ScriptedChoice>(wanted);
        for (var i = 0; i < wanted; i++)
        {
            result.Add(script.Choices.Count == 0 ? new ScriptedChoice() : script.Choices[i % script.Choices.Count]);
        }

        return result;
    }

    private static List<ScriptedChoice> CompletionChoices(EmulatorScript script, RecordedRequest request)
    {
        // One choice per prompt × n; choice k answers prompt k / n, and takes the script's choice k (cycling).
        var prompts = request.JsonProperty("prompt") is { ValueKind: JsonValueKind.Array } array ? Math.Max(1, array.GetArrayLength()) : 1;
        var total = prompts * RequestedChoiceCount(request);
        var result = new List<ScriptedChoice>(total);
        for (var i = 0; i < total; i++)
        {
            result.Add(script.Choices.Count == 0 ? new ScriptedChoice() : script.Choices[i % script.Choices.Count]);
        }

        return result;
    }

    private static IEnumerable<Action<Utf8JsonWriter>> ChoiceDeltas(ScriptedChoice choice, int index)
    {
        yield return writer =>
        {
            writer.WriteString("role", "assistant");
            writer.WriteString("content", string.Empty);
            writer.WriteNull("refusal");
        };
        foreach (var reasoning in choice.ReasoningChunks)
        {
            yield return writer => writer.WriteString("reasoning_content", reasoning);
        }

        foreach (var chunk in choice.TextChunks)
        {
            yield return writer => writer.WriteString("content", chunk);
        }

        for (var call = 0; call < choice.ToolCalls.Count; call++)
        {
            var toolCall = choice.ToolCalls[call];
            var callIndex = call;
            yield return writer => WriteToolCallDelta(writer, callIndex, toolCall, null, first: true);
            foreach (var fragment in toolCall.ArgumentChunks)
            {
                yield return writer => WriteToolCallDelta(writer, callIndex, toolCall, fragment, first: false);
            }
        }
    }

    private static void WriteToolCallDelta(Utf8JsonWriter writer, int index, ScriptedToolCall call, string? fragment, bool first)
    {
        writer.WriteStartArray("tool_calls");
        writer.WriteStartObject();
        writer.WriteNumber("index", index);
        if (first)
        {
            writer.WriteString("id", call.Id);
            writer.WriteString("type", "function");
        }

        writer.WriteStartObject("function");
        if (first)
        {
            writer.WriteString("name", call.Name);
        }

        writer.WriteString("arguments", fragment ?? string.Empty);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
    }

    private static string Frame(string id, string model, int index, Action<Utf8JsonWriter> writeDelta, string? finishReason) =>
        "data: " + Write(writer =>
        {
            WriteChunkHead(writer, id, model);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", index);
            writer.WriteStartObject("delta");
            writeDelta(writer);
            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            if (finishReason is null)
            {
                writer.WriteNull("finish_reason");
            }
            else
            {
                writer.WriteString("finish_reason", finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }) + "\n\n";

    private static void WriteChunkHead(Utf8JsonWriter writer, string id, string model)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", 1_770_000_000);
        writer.WriteString("model", model);
    }

    private static void WriteUsage(Utf8JsonWriter writer, ScriptedUsage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", usage.InputTokens);
        writer.WriteNumber("completion_tokens", usage.OutputTokens);
        writer.WriteNumber("total_tokens", usage.TotalTokens);
        if (usage.CachedInputTokens is { } cached)
        {
            writer.WriteStartObject("prompt_tokens_details");
            writer.WriteNumber("cached_tokens", cached);
            writer.WriteEndObject();
        }

        if (usage.ReasoningOutputTokens is { } reasoning)
        {
            writer.WriteStartObject("completion_tokens_details");
            writer.WriteNumber("reasoning_tokens", reasoning);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static string ResponseModel(EmulatorScript script, RecordedRequest request) =>
        script.Model ?? (request.JsonProperty("model") is { ValueKind: JsonValueKind.String } model ? model.GetString()! : "emulated-model");

    private static string DefaultMessage(int status) => status switch
    {
        400 => "Invalid request.",
        401 => "Incorrect API key provided.",
        403 => "You are not allowed to access this resource.",
        404 => "The model does not exist or you do not have access to it.",
        408 => "The request timed out.",
        429 => "Rate limit reached for requests.",
        503 => "The engine is currently overloaded, please try again later.",
        _ => "The server had an error while processing your request.",
    };

    private string ResponseId(EmulatorScript script, bool chat) =>
        script.ResponseId ?? (chat ? "chatcmpl-" : "cmpl-") + "emu" + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
}
