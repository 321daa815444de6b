using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Mellea.Tracing;

/// <summary>
/// Serializes captured content into the OTel GenAI JSON shapes (input/output messages, system instructions, tool
/// definitions). The cap applies to the text inside; the JSON structure around it is always complete.
/// </summary>
internal sealed class ContentCapture
{
    private readonly int _maxLength;
    private readonly Func<string, string>? _redact;

    public ContentCapture(int maxLength, Func<string, string>? redact)
    {
        _maxLength = maxLength;
        _redact = redact;
    }

    public string? SystemInstructions(IReadOnlyList<ChatMessage> messages)
    {
        if (!messages.Any(m => m.Role == ChatRole.System))
        {
            return null;
        }

        return Write((writer, budget) =>
        {
            writer.WriteStartArray();
            foreach (var message in messages)
            {
                if (message.Role != ChatRole.System)
                {
                    continue;
                }

                foreach (var part in message.Parts.OfType<TextPart>())
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "text");
                    WriteText(writer, "content", part.Text, budget);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        });
    }

    public string InputMessages(IReadOnlyList<ChatMessage> messages) => Write((writer, budget) =>
    {
        writer.WriteStartArray();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("role", message.Role.ToWireName());
            writer.WritePropertyName("parts");
            writer.WriteStartArray();
            foreach (var part in message.Parts)
            {
                WritePart(writer, part, budget);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public string InputPrompts(IReadOnlyList<string> prompts) => Write((writer, budget) =>
    {
        writer.WriteStartArray();
        foreach (var prompt in prompts)
        {
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WritePropertyName("parts");
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            WriteText(writer, "content", prompt, budget);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public string OutputMessages(IReadOnlyList<ChatChoice> choices) => Write((writer, budget) =>
    {
        writer.WriteStartArray();
        foreach (var choice in choices)
        {
            writer.WriteStartObject();
            writer.WriteString("role", "assistant");
            writer.WritePropertyName("parts");
            writer.WriteStartArray();
            if (!string.IsNullOrEmpty(choice.ReasoningText))
            {
                writer.WriteStartObject();
                writer.WriteString("type", "reasoning");
                WriteText(writer, "content", choice.ReasoningText, budget);
                writer.WriteEndObject();
            }

            foreach (var part in choice.Message.Parts)
            {
                WritePart(writer, part, budget);
            }

            writer.WriteEndArray();
            if (choice.FinishReason is { } finish)
            {
                writer.WriteString("finish_reason", finish.Value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public string OutputCompletions(IReadOnlyList<RawCompletion> completions) => Write((writer, budget) =>
    {
        writer.WriteStartArray();
        foreach (var completion in completions)
        {
            writer.WriteStartObject();
            writer.WriteString("role", "assistant");
            writer.WritePropertyName("parts");
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("type", "text");
            WriteText(writer, "content", completion.Text, budget);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (completion.FinishReason is { } finish)
            {
                writer.WriteString("finish_reason", finish.Value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    public string? ToolDefinitions(IList<ToolDefinition>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return null;
        }

        return Write((writer, budget) =>
        {
            writer.WriteStartArray();
            foreach (var tool in tools)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteString("name", tool.Name);
                if (tool.Description is { } description)
                {
                    WriteText(writer, "description", description, budget);
                }

                if (tool.ParametersSchema is { } schema && budget.Remaining > 0)
                {
                    writer.WritePropertyName("parameters");
                    schema.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>Developer-written text (a template): capped, not redacted.</summary>
    public string Cap(string text) => text.Length <= _maxLength ? text : string.Concat(text.AsSpan(0, _maxLength), "…");

    /// <summary>One captured text value: redacted and capped.</summary>
    public string Text(string text) => Cap(Redact(text));

    /// <summary>Template variables as one JSON object: redacted, capped, always valid JSON.</summary>
    public string Variables(IReadOnlyDictionary<string, string> variables) => Write((writer, budget) =>
    {
        writer.WriteStartObject();
        foreach (var variable in variables)
        {
            WriteText(writer, variable.Key, variable.Value, budget);
        }

        writer.WriteEndObject();
    });

    /// <summary>Tool arguments or results: JSON when the text parses as JSON (semconv prefers objects), else a JSON string.</summary>
    public string Json(string text) => Write((writer, budget) =>
    {
        var redacted = Redact(text);
        if (redacted.Length <= budget.Remaining && IsJson(redacted))
        {
            budget.Remaining -= redacted.Length;
            writer.WriteRawValue(redacted, skipInputValidation: true);
        }
        else
        {
            WriteText(writer, null, redacted, budget, alreadyRedacted: true);
        }
    });

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void WritePart(Utf8JsonWriter writer, MessagePart part, Budget budget)
    {
        writer.WriteStartObject();
        switch (part)
        {
            case TextPart text:
                writer.WriteString("type", "text");
                WriteText(writer, "content", text.Text, budget);
                break;
            case ToolCallPart call:
                writer.WriteString("type", "tool_call");
                writer.WriteString("id", call.CallId);
                writer.WriteString("name", call.Name);
                var arguments = Redact(call.ArgumentsJson);
                if (arguments.Length <= budget.Remaining && IsJson(arguments))
                {
                    budget.Remaining -= arguments.Length;
                    writer.WritePropertyName("arguments");
                    writer.WriteRawValue(arguments, skipInputValidation: true);
                }
                else
                {
                    WriteText(writer, "arguments", arguments, budget, alreadyRedacted: true);
                }

                break;
            case ToolResultPart result:
                writer.WriteString("type", "tool_call_response");
                writer.WriteString("id", result.CallId);
                WriteText(writer, "response", result.Result, budget);
                break;
        }

        writer.WriteEndObject();
    }

    private string Redact(string text)
    {
        if (_redact is null)
        {
            return text;
        }

        try
        {
            return _redact(text) ?? string.Empty;
        }
        catch (Exception)
        {
            // A redaction callback that fails must not leak the text it was meant to edit.
            return "[redaction failed]";
        }
    }

    private void WriteText(Utf8JsonWriter writer, string? property, string text, Budget budget, bool alreadyRedacted = false)
    {
        var value = alreadyRedacted ? text : Redact(text);
        if (value.Length > budget.Remaining)
        {
            value = budget.Remaining > 0 ? string.Concat(value.AsSpan(0, budget.Remaining), "…") : "…";
            budget.Remaining = 0;
        }
        else
        {
            budget.Remaining -= value.Length;
        }

        if (property is null)
        {
            writer.WriteStringValue(value);
        }
        else
        {
            writer.WriteString(property, value);
        }
    }

    private string Write(Action<Utf8JsonWriter, Budget> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer, new Budget { Remaining = _maxLength });
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class Budget
    {
        public int Remaining { get; set; }
    }
}
