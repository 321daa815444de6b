using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.OpenAI.Wire;

/// <summary>
/// The body of <c>POST /chat/completions</c>, written straight from the <see cref="ChatRequest"/> by <see cref="ChatCompletionRequestWriter"/>:
/// no DTO graph per call, and the serializer's own cached writer and pooled buffer, so a call allocates only the body's bytes.
/// </summary>
/// <param name="Request">The validated request.</param>
/// <param name="Model">The resolved model.</param>
/// <param name="Stream">Whether to ask for a stream (with usage in its last chunk).</param>
/// <param name="SendsTopK">Whether <c>top_k</c> is sent.</param>
[JsonConverter(typeof(ChatCompletionRequestWriter))]
internal readonly record struct ChatCompletionRequestBody(ChatRequest Request, string Model, bool Stream, bool SendsTopK);

/// <summary>
/// Writes <see cref="ChatCompletionRequestBody"/>. The JSON is the OpenAI chat request: properties in this order, an unset option
/// left out: <c>model, messages, temperature, top_p, top_k, max_completion_tokens, stop, seed, frequency_penalty, presence_penalty,
/// n, tools, tool_choice, response_format, reasoning_effort, stream, stream_options</c>, then the caller's extra properties
/// (an extra named like a typed option that is set is dropped: writing both would duplicate the key).
/// </summary>
internal sealed class ChatCompletionRequestWriter : JsonConverter<ChatCompletionRequestBody>
{
    /// <inheritdoc/>
    public override ChatCompletionRequestBody Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("A chat request body is only written.");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, ChatCompletionRequestBody value, JsonSerializerOptions options)
    {
        var request = value.Request;
        var o = request.Options;
        writer.WriteStartObject();
        writer.WriteString("model"u8, value.Model);
        writer.WritePropertyName("messages"u8);
        WriteMessages(writer, request.Messages);
        if (o is not null)
        {
            WriteNumber(writer, "temperature"u8, o.Temperature);
            WriteNumber(writer, "top_p"u8, o.TopP);
            if (value.SendsTopK)
            {
                WriteNumber(writer, "top_k"u8, o.TopK);
            }

            WriteNumber(writer, "max_completion_tokens"u8, o.MaxOutputTokens);
            if (o.StopSequences is { Count: > 0 } stops)
            {
                writer.WriteStartArray("stop"u8);
                foreach (var stop in stops)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            if (o.Seed is { } seed)
            {
                writer.WriteNumber("seed"u8, seed);
            }

            WriteNumber(writer, "frequency_penalty"u8, o.FrequencyPenalty);
            WriteNumber(writer, "presence_penalty"u8, o.PresencePenalty);
            WriteNumber(writer, "n"u8, o.ChoiceCount);
            WriteTools(writer, o.Tools);
            WriteToolChoice(writer, o.ToolChoice);
            WriteResponseFormat(writer, o.ResponseFormat);
            if (o.ReasoningLevel is { } reasoning)
            {
                writer.WriteString("reasoning_effort"u8, reasoning);
            }
        }

        if (value.Stream)
        {
            writer.WriteBoolean("stream"u8, true);
            writer.WriteStartObject("stream_options"u8);
            writer.WriteBoolean("include_usage"u8, true);
            writer.WriteEndObject();
        }

        if (o?.AdditionalProperties is { Count: > 0 } extras)
        {
            foreach (var (key, extra) in extras)
            {
                if (string.IsNullOrEmpty(key) || IsSet(value, key))
                {
                    continue;
                }

                writer.WritePropertyName(key);
                OpenAIRequestMapper.ToElement(extra).WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteMessages(Utf8JsonWriter writer, IReadOnlyList<ChatMessage> messages)
    {
        writer.WriteStartArray();
        for (var m = 0; m < messages.Count; m++)
        {
            var message = messages[m];
            var parts = message.Parts;
            if (message.Role == ChatRole.Tool)
            {
                // OpenAI takes one tool message per result.
                for (var p = 0; p < parts.Count; p++)
                {
                    if (parts[p] is ToolResultPart result)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("role"u8, "tool"u8);
                        WriteStringIfSet(writer, "content"u8, result.Result);
                        WriteStringIfSet(writer, "tool_call_id"u8, result.CallId);
                        writer.WriteEndObject();
                    }
                }

                continue;
            }

            var hasText = false;
            var hasCalls = false;
            for (var p = 0; p < parts.Count; p++)
            {
                hasText |= parts[p] is TextPart;
                hasCalls |= parts[p] is ToolCallPart;
            }

            writer.WriteStartObject();
            writer.WriteString("role"u8, message.Role.ToWireName());
            if (hasText || !hasCalls)
            {
                writer.WriteString("content"u8, message.Text);
            }

            if (hasCalls)
            {
                writer.WriteStartArray("tool_calls"u8);
                for (var p = 0; p < parts.Count; p++)
                {
                    if (parts[p] is ToolCallPart call)
                    {
                        writer.WriteStartObject();
                        WriteStringIfSet(writer, "id"u8, call.CallId);
                        writer.WriteString("type"u8, "function"u8);
                        writer.WriteStartObject("function"u8);
                        WriteStringIfSet(writer, "name"u8, call.Name);
                        WriteStringIfSet(writer, "arguments"u8, call.ArgumentsJson);
                        writer.WriteEndObject();
                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteTools(Utf8JsonWriter writer, IList<ToolDefinition>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return;
        }

        writer.WriteStartArray("tools"u8);
        foreach (var tool in tools)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            WriteStringIfSet(writer, "name"u8, tool.Name);
            WriteStringIfSet(writer, "description"u8, tool.Description);
            if (tool.ParametersSchema is { } parameters)
            {
                writer.WritePropertyName("parameters"u8);
                parameters.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ToolChoice? choice)
    {
        switch (choice)
        {
            case null:
                return;
            case { Mode: ToolChoiceMode.Auto }:
                writer.WriteString("tool_choice"u8, "auto"u8);
                return;
            case { Mode: ToolChoiceMode.None }:
                writer.WriteString("tool_choice"u8, "none"u8);
                return;
            case { Mode: ToolChoiceMode.Required }:
                writer.WriteString("tool_choice"u8, "required"u8);
                return;
            default:
                writer.WriteStartObject("tool_choice"u8);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WriteString("name"u8, choice.Value.ToolName ?? string.Empty);
                writer.WriteEndObject();
                writer.WriteEndObject();
                return;
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter writer, ResponseFormat? format)
    {
        if (format is null)
        {
            return;
        }

        writer.WriteStartObject("response_format"u8);
        switch (format.Kind)
        {
            case ResponseFormatKind.Text:
                writer.WriteString("type"u8, "text"u8);
                break;
            case ResponseFormatKind.Json:
                writer.WriteString("type"u8, "json_object"u8);
                break;
            default:
                writer.WriteString("type"u8, "json_schema"u8);
                writer.WriteStartObject("json_schema"u8);
                writer.WriteString("name"u8, format.SchemaName ?? "response");
                if (format.Schema is { } schema)
                {
                    writer.WritePropertyName("schema"u8);
                    schema.WriteTo(writer);
                }

                writer.WriteBoolean("strict"u8, format.Strict);
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }

    private static void WriteStringIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Whether the typed property <paramref name="key"/> is written for this body.</summary>
    private static bool IsSet(ChatCompletionRequestBody body, string key)
    {
        var o = body.Request.Options;
        return key switch
        {
            // stream and stream_options are the client's, never a caller's, even on a whole (non-streamed) call.
            "model" or "messages" or "stream" or "stream_options" => true,
            "temperature" => o?.Temperature is not null,
            "top_p" => o?.TopP is not null,
            "top_k" => body.SendsTopK && o?.TopK is not null,
            "max_completion_tokens" => o?.MaxOutputTokens is not null,
            "stop" => o?.StopSequences is { Count: > 0 },
            "seed" => o?.Seed is not null,
            "frequency_penalty" => o?.FrequencyPenalty is not null,
            "presence_penalty" => o?.PresencePenalty is not null,
            "n" => o?.ChoiceCount is not null,
            "tools" => o?.Tools is { Count: > 0 },
            "tool_choice" => o?.ToolChoice is not null,
            "response_format" => o?.ResponseFormat is not null,
            "reasoning_effort" => o?.ReasoningLevel is not null,
            _ => false,
        };
    }
}
