using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>
/// IBM watsonx.ai: <c>POST /ml/v1/text/chat</c>, <c>/chat_stream</c>, <c>/generation</c> and <c>/generation_stream</c>. Streams are SSE with
/// <c>id:</c>/<c>event: message</c> lines and no <c>[DONE]</c>; chat streams end with a <c>choices:[]</c> usage chunk, generation streams carry
/// <c>input_token_count</c> in the first event only and a cumulative <c>generated_token_count</c>. Errors are
/// <c>{"errors":[{code,message,more_info}],"trace","status_code"}</c>. The IAM token endpoint is <see cref="WatsonxIamWireFormat"/>.
/// </summary>
/// <remarks>
/// Neutral finish reasons: a whole chat answer with tool calls says <c>"stop"</c> (as the spec's own example does) while a stream says
/// <c>"tool_calls"</c> (as the recorded streams do); generation says <c>eos_token</c> for stop and <c>max_tokens</c> for length. Any other
/// scripted value (<c>time_limit</c>, <c>stop_sequence</c>) is sent as it is.
/// </remarks>
public sealed class WatsonxWireFormat : EmulatorWireFormat
{
    private long _counter;

    /// <inheritdoc/>
    public override string Name => "watsonx";

    /// <summary>
    /// Answers each <c>/generation</c> with <c>"echo: " + input</c> instead of the script's text, so a test of a concurrent raw batch can check
    /// that every completion went back to its own prompt whatever order the requests arrived in.
    /// </summary>
    public bool EchoPrompts { get; set; }

    /// <inheritdoc/>
    public override bool Handles(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method == "POST" && request.Path is "/ml/v1/text/chat" or "/ml/v1/text/chat_stream" or "/ml/v1/text/generation" or "/ml/v1/text/generation_stream";
    }

    /// <summary>The <c>_stream</c> routes stream; the others never do.</summary>
    /// <param name="request">The request.</param>
    public override bool IsStreamingRequest(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.EndsWith("_stream", StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var model = Model(script, request);
        if (IsGeneration(request))
        {
            var choice = First(script);
            return new EmulatorResponse(200, Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("model_id", model);
                writer.WriteString("created_at", "2026-01-01T00:00:00.000Z");
                writer.WriteStartArray("results");
                var text = EchoPrompts ? "echo: " + request.JsonProperty("input")?.GetString() : choice.Text;
                WriteResult(writer, text, script.Usage?.OutputTokens ?? 0, script.Usage?.InputTokens ?? 0, GenerationStopReason(choice));
                writer.WriteEndArray();
                writer.WriteEndObject();
            }));
        }

        var id = Id(script);
        var choices = ChatChoices(script, request);
        return new EmulatorResponse(200, Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("object", "chat.completion");
            writer.WriteString("model_id", model);
            writer.WriteString("model", model);
            writer.WriteNumber("created", 1_770_000_000);
            writer.WriteString("created_at", "2026-01-01T00:00:00.000Z");
            writer.WriteStartArray("choices");
            for (var index = 0; index < choices.Count; index++)
            {
                var choice = choices[index];
                writer.WriteStartObject();
                writer.WriteNumber("index", index);
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                if (choice.TextChunks.Count > 0 || choice.ToolCalls.Count == 0)
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

                writer.WriteEndObject();
                writer.WriteString("finish_reason", choice.EffectiveFinishReason == "tool_calls" ? "stop" : choice.EffectiveFinishReason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (script.Usage is { } usage)
            {
                WriteUsage(writer, usage);
            }

            writer.WriteEndObject();
        }));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var model = Model(script, request);
        var frames = new List<string>();
        if (IsGeneration(request))
        {
            var choice = First(script);
            var reason = GenerationStopReason(choice);

            // The first event carries the input count and no text; the counts after it are cumulative.
            frames.Add(Frame(frames.Count + 1, GenerationEvent(model, string.Empty, 0, script.Usage?.InputTokens ?? 0, "not_finished")));
            for (var i = 0; i < choice.TextChunks.Count; i++)
            {
                var last = i == choice.TextChunks.Count - 1;
                var generated = last ? script.Usage?.OutputTokens ?? i + 1 : i + 1;
                frames.Add(Frame(frames.Count + 1, GenerationEvent(model, choice.TextChunks[i], generated, 0, last ? reason : "not_finished")));
            }

            return frames;
        }

        var id = Id(script);
        var choices = ChatChoices(script, request);
        for (var index = 0; index < choices.Count; index++)
        {
            var choice = choices[index];
            var choiceIndex = index;
            frames.Add(Frame(frames.Count + 1, ChatChunk(id, model, choiceIndex, writer =>
            {
                writer.WriteString("role", "assistant");
                writer.WriteString("content", string.Empty);
            }, finishReason: null)));
            foreach (var reasoning in choice.ReasoningChunks)
            {
                frames.Add(Frame(frames.Count + 1, ChatChunk(id, model, choiceIndex, writer => writer.WriteString("reasoning_content", reasoning), null)));
            }

            foreach (var text in choice.TextChunks)
            {
                frames.Add(Frame(frames.Count + 1, ChatChunk(id, model, choiceIndex, writer => writer.WriteString("content", text), null)));
            }

            for (var call = 0; call < choice.ToolCalls.Count; call++)
            {
                var toolCall = choice.ToolCalls[call];
                var callIndex = call;
                for (var fragment = 0; fragment < toolCall.ArgumentChunks.Count; fragment++)
                {
                    var first = fragment == 0;
                    var arguments = toolCall.ArgumentChunks[fragment];
                    frames.Add(Frame(frames.Count + 1, ChatChunk(id, model, choiceIndex, writer =>
                    {
                        writer.WriteStartArray("tool_calls");
                        writer.WriteStartObject();
                        writer.WriteNumber("index", callIndex);
                        if (first)
                        {
                            writer.WriteString("id", toolCall.Id);
                            writer.WriteString("type", "function");
                        }

                        writer.WriteStartObject("function");
                        if (first)
                        {
                            writer.WriteString("name", toolCall.Name);
                        }

                        writer.WriteString("arguments", arguments);
                        writer.WriteEndObject();
                        writer.WriteEndObject();
                        writer.WriteEndArray();
                    }, null)));
                }
            }

            frames.Add(Frame(frames.Count + 1, ChatChunk(id, model, choiceIndex, static _ => { }, choice.EffectiveFinishReason)));
        }

        if (script.Usage is { } usage)
        {
            // watsonx always ends a chat stream with a usage chunk; no [DONE] follows.
            frames.Add(Frame(frames.Count + 1, Write(writer =>
            {
                WriteChunkHead(writer, id, model);
                writer.WriteStartArray("choices");
                writer.WriteEndArray();
                WriteUsage(writer, usage);
                writer.WriteEndObject();
            })));
        }

        return frames;
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new EmulatorResponse(fault.StatusCode, ErrorBody(fault));
    }

    /// <inheritdoc/>
    public override string RenderErrorEvent(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return "id: 999\nevent: error\ndata: " + ErrorBody(fault) + "\n\n";
    }

    /// <inheritdoc/>
    public override string RenderMalformedFrame() => "id: 2\nevent: message\ndata: {\"id\":\"broken\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"unterminat\n\n";

    /// <inheritdoc/>
    public override string RenderMalformedBody() => "{\"id\":\"broken\",\"choices\":[{\"index\":0,\"message\":{\"content\":\"unterminat";

    private static bool IsGeneration(RecordedRequest request) => request.Path.StartsWith("/ml/v1/text/generation", StringComparison.Ordinal);

    private static ScriptedChoice First(EmulatorScript script) => script.Choices.Count > 0 ? script.Choices[0] : new ScriptedChoice();

    private static string Model(EmulatorScript script, RecordedRequest request) =>
        script.Model ?? request.JsonProperty("model_id")?.GetString() ?? "ibm/granite-3-3-8b-instruct";

    private static List<ScriptedChoice> ChatChoices(EmulatorScript script, RecordedRequest request)
    {
        var wanted = request.JsonProperty("n") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var count) && count > 0 ? count : 1;
        wanted = Math.Max(wanted, script.Choices.Count);
        var result = new List<ScriptedChoice>(wanted);
        for (var i = 0; i < wanted; i++)
        {
            result.Add(script.Choices.Count == 0 ? new ScriptedChoice() : script.Choices[i % script.Choices.Count]);
        }

        return result;
    }

    private static string GenerationStopReason(ScriptedChoice choice) => choice.EffectiveFinishReason switch
    {
        "stop" or "tool_calls" => "eos_token",
        "length" => "max_tokens",
        var other => other,
    };

    private static string DefaultCode(int status) => status switch
    {
        400 => "json_validation_error",
        401 => "authentication_token_not_valid",
        403 => "authorization_rejected",
        404 => "model_not_supported",
        408 => "request_timeout",
        429 => "token_quota_reached",
        503 => "service_unavailable",
        _ => "internal_error",
    };

    private static string Frame(int id, string json) =>
        "id: " + id.ToString(CultureInfo.InvariantCulture) + "\nevent: message\ndata: " + json + "\n\n";

    private static string GenerationEvent(string model, string text, int generated, int input, string stopReason) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("model_id", model);
        writer.WriteString("created_at", "2026-01-01T00:00:00.000Z");
        writer.WriteStartArray("results");
        WriteResult(writer, text, generated, input, stopReason);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteResult(Utf8JsonWriter writer, string text, int generated, int input, string stopReason)
    {
        writer.WriteStartObject();
        writer.WriteString("generated_text", text);
        writer.WriteNumber("generated_token_count", generated);
        writer.WriteNumber("input_token_count", input);
        writer.WriteString("stop_reason", stopReason);
        writer.WriteEndObject();
    }

    private static string ChatChunk(string id, string model, int index, Action<Utf8JsonWriter> writeDelta, string? finishReason) => Write(writer =>
    {
        WriteChunkHead(writer, id, model);
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", index);
        if (finishReason is null)
        {
            writer.WriteNull("finish_reason");
        }
        else
        {
            writer.WriteString("finish_reason", finishReason);
        }

        writer.WriteStartObject("delta");
        writeDelta(writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteChunkHead(Utf8JsonWriter writer, string id, string model)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteString("model_id", model);
        writer.WriteString("model", model);
        writer.WriteNumber("created", 1_770_000_000);
        writer.WriteString("created_at", "2026-01-01T00:00:00.000Z");
    }

    private static void WriteUsage(Utf8JsonWriter writer, ScriptedUsage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("completion_tokens", usage.OutputTokens);
        writer.WriteNumber("prompt_tokens", usage.InputTokens);
        writer.WriteNumber("total_tokens", usage.TotalTokens);
        writer.WriteEndObject();
    }

    private static string ErrorBody(EmulatorFault fault) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteStartArray("errors");
        writer.WriteStartObject();
        writer.WriteString("code", fault.Code ?? DefaultCode(fault.StatusCode));
        writer.WriteString("message", fault.Message ?? "The watsonx.ai service could not process the request.");
        writer.WriteString("more_info", "https://cloud.ibm.com/apidocs/watsonx-ai");
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteString("trace", "emulated-trace-" + fault.StatusCode.ToString(CultureInfo.InvariantCulture));
        writer.WriteNumber("status_code", fault.StatusCode);
        writer.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private string Id(EmulatorScript script) =>
        script.ResponseId ?? "chatcmpl-wx" + Interlocked.Increment(ref _counter).ToString("x8", CultureInfo.InvariantCulture);
}
