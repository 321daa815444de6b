using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>
/// Ollama's native wire format: <c>POST /api/chat</c> and <c>POST /api/generate</c>, whole (<c>"stream": false</c>) or as NDJSON (the default),
/// with <c>{"error":"…"}</c> bodies and mid-stream error lines.
/// </summary>
/// <remarks>
/// Neutral finish reasons are translated as Ollama reports them: <c>tool_calls</c> becomes <c>"stop"</c> (Ollama says stop on tool-call turns),
/// <c>length</c> stays. Tool-call arguments are sent as JSON objects, usage as <c>prompt_eval_count</c>/<c>eval_count</c>, and every final
/// object carries nanosecond durations (<see cref="TotalDurationNs"/> and friends). Ollama has no response id.
/// </remarks>
public sealed class OllamaWireFormat : EmulatorWireFormat
{
    /// <summary>The <c>total_duration</c> every final object reports, in nanoseconds.</summary>
    public const long TotalDurationNs = 1_234_567_890;

    /// <summary>The <c>load_duration</c> every final object reports, in nanoseconds.</summary>
    public const long LoadDurationNs = 234_567_890;

    /// <summary>The <c>prompt_eval_duration</c> every final object reports, in nanoseconds.</summary>
    public const long PromptEvalDurationNs = 345_678_901;

    /// <summary>The <c>eval_duration</c> every final object reports, in nanoseconds.</summary>
    public const long EvalDurationNs = 456_789_012;

    /// <inheritdoc/>
    public override string Name => "ollama";

    /// <summary>
    /// Answers each <c>/api/generate</c> with <c>"echo: " + prompt</c> instead of the script's text, so a test of a concurrent raw batch can
    /// check that every completion went back to its own prompt whatever order the requests arrived in.
    /// </summary>
    public bool EchoPrompts { get; set; }

    /// <inheritdoc/>
    public override string StreamContentType => "application/x-ndjson";

    /// <inheritdoc/>
    public override bool Handles(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method == "POST" && (IsChat(request) || request.Path == "/api/generate");
    }

    /// <summary>Ollama streams unless the request says <c>"stream": false</c>.</summary>
    /// <param name="request">The request.</param>
    public override bool IsStreamingRequest(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.JsonProperty("stream") is not { ValueKind: JsonValueKind.False };
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var choice = script.Choices.Count > 0 ? script.Choices[0] : new ScriptedChoice();
        var chat = IsChat(request);
        var body = Write(writer =>
        {
            WriteHead(writer, script, request);
            if (chat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", choice.Text);
                if (choice.ReasoningChunks.Count > 0)
                {
                    writer.WriteString("thinking", string.Concat(choice.ReasoningChunks));
                }

                WriteToolCalls(writer, choice);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("response", EchoPrompts ? "echo: " + request.JsonProperty("prompt")?.GetString() : choice.Text);
                if (choice.ReasoningChunks.Count > 0)
                {
                    writer.WriteString("thinking", string.Concat(choice.ReasoningChunks));
                }
            }

            WriteFinal(writer, script, choice);
            writer.WriteEndObject();
        });
        return new EmulatorResponse(200, body);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        var choice = script.Choices.Count > 0 ? script.Choices[0] : new ScriptedChoice();
        var chat = IsChat(request);
        var lines = new List<string>();
        foreach (var reasoning in choice.ReasoningChunks)
        {
            lines.Add(Line(script, request, chat, content: string.Empty, thinking: reasoning, withToolCalls: null));
        }

        foreach (var chunk in choice.TextChunks)
        {
            lines.Add(Line(script, request, chat, chunk, thinking: null, withToolCalls: null));
        }

        if (chat && choice.ToolCalls.Count > 0)
        {
            // Ollama sends the calls whole, in one line, never as argument fragments.
            lines.Add(Line(script, request, chat, string.Empty, thinking: null, withToolCalls: choice));
        }

        lines.Add(Write(writer =>
        {
            WriteHead(writer, script, request);
            if (chat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", string.Empty);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("response", string.Empty);
            }

            WriteFinal(writer, script, choice);
            writer.WriteEndObject();
        }) + "\n");
        return lines;
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new EmulatorResponse(fault.StatusCode, ErrorBody(fault.Message ?? DefaultMessage(fault.StatusCode, request)));
    }

    /// <inheritdoc/>
    public override string RenderErrorEvent(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return ErrorBody(fault.Message ?? "an error was encountered while running the model") + "\n";
    }

    /// <inheritdoc/>
    public override string RenderMalformedFrame() => "{\"model\":\"broken\",\"message\":{\"role\":\"assistant\",\"content\":\"unterminat\n";

    /// <inheritdoc/>
    public override string RenderMalformedBody() => "{\"model\":\"broken\",\"message\":{\"role\":\"assistant\",\"content\":\"unterminat";

    private static bool IsChat(RecordedRequest request) => request.Path == "/api/chat";

    private static string DefaultMessage(int status, RecordedRequest? request) => status switch
    {
        404 => $"model \"{request?.JsonProperty("model")?.GetString() ?? "unknown"}\" not found, try pulling it first",
        400 => "invalid request",
        429 => "too many requests",
        _ => "the model failed to generate a response",
    };

    private static string ErrorBody(string message) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
    });

    private static string Line(EmulatorScript script, RecordedRequest request, bool chat, string content, string? thinking, ScriptedChoice? withToolCalls) =>
        Write(writer =>
        {
            WriteHead(writer, script, request);
            if (chat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                writer.WriteString("content", content);
                if (thinking is not null)
                {
                    writer.WriteString("thinking", thinking);
                }

                if (withToolCalls is not null)
                {
                    WriteToolCalls(writer, withToolCalls);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("response", content);
                if (thinking is not null)
                {
                    writer.WriteString("thinking", thinking);
                }
            }

            writer.WriteBoolean("done", false);
            writer.WriteEndObject();
        }) + "\n";

    private static void WriteHead(Utf8JsonWriter writer, EmulatorScript script, RecordedRequest request)
    {
        writer.WriteStartObject();
        writer.WriteString("model", script.Model ?? request.JsonProperty("model")?.GetString() ?? "llama3.2");
        writer.WriteString("created_at", "2026-01-01T00:00:00.000000Z");
    }

    private static void WriteToolCalls(Utf8JsonWriter writer, ScriptedChoice choice)
    {
        if (choice.ToolCalls.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("tool_calls");
        foreach (var call in choice.ToolCalls)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("function");
            writer.WriteString("name", call.Name);
            writer.WritePropertyName("arguments");
            using (var document = JsonDocument.Parse(call.Arguments))
            {
                document.RootElement.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteFinal(Utf8JsonWriter writer, EmulatorScript script, ScriptedChoice choice)
    {
        writer.WriteString("done_reason", choice.EffectiveFinishReason switch
        {
            "tool_calls" => "stop",
            "content_filter" => "stop",
            var other => other,
        });
        writer.WriteBoolean("done", true);
        writer.WriteNumber("total_duration", TotalDurationNs);
        writer.WriteNumber("load_duration", LoadDurationNs);
        if (script.Usage is { } usage)
        {
            writer.WriteNumber("prompt_eval_count", usage.InputTokens);
        }

        writer.WriteNumber("prompt_eval_duration", PromptEvalDurationNs);
        if (script.Usage is { } usage2)
        {
            writer.WriteNumber("eval_count", usage2.OutputTokens);
        }

        writer.WriteNumber("eval_duration", EvalDurationNs);
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
