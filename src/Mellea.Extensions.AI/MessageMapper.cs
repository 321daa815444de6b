using System.Text.Json;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>
/// Messages both ways. Both sides have text, tool calls and tool results; Mellea keeps a tool call's arguments as the model's JSON
/// text, Microsoft.Extensions.AI as a parsed dictionary, so the Mellea part rides along as the content's <c>RawRepresentation</c>
/// and the text comes back unchanged.
/// </summary>
internal static class MessageMapper
{
    // Microsoft.Extensions.AI's default options indent; tool-call arguments go to providers as compact JSON text.
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    public static List<ChatMessage> ToMellea(IEnumerable<Meai.ChatMessage> messages, string? instructions)
    {
        var result = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(instructions))
        {
            result.Add(ChatMessage.System(instructions));
        }

        foreach (var message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException("A message is null.", nameof(messages));
            }

            result.Add(ToMellea(message));
        }

        return result;
    }

    public static ChatMessage ToMellea(Meai.ChatMessage message)
    {
        var role = ToMellea(message.Role);
        var parts = new List<MessagePart>(message.Contents.Count);
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    parts.Add(new TextPart(text.Text ?? string.Empty));
                    break;
                case FunctionCallContent call:
                    parts.Add(ToMellea(call));
                    break;
                case FunctionResultContent result:
                    parts.Add(new ToolResultPart(
                        result.CallId,
                        ResultText(result.Result),
                        result.Exception is not null || (result.AdditionalProperties?.TryGetValue(InteropKeys.ToolResultIsError, out var isError) == true && isError is true)));
                    break;

                // Reasoning of earlier turns and usage reports have no place in a Mellea request.
                case TextReasoningContent:
                case UsageContent:
                    break;
                default:
                    throw new NotSupportedException(
                        $"Mellea messages hold text, tool calls and tool results; a {content?.GetType().Name ?? "null"} content cannot be sent through a Mellea handler.");
            }
        }

        return new ChatMessage(role, parts);
    }

    public static ToolCallPart ToMellea(FunctionCallContent call)
    {
        // The Mellea part that made this content: its arguments text, byte for byte.
        if (call.RawRepresentation is ToolCallPart original && original.CallId == call.CallId && original.Name == call.Name)
        {
            return original;
        }

        var arguments = call.Arguments is null
            ? "{}"
            : JsonSerializer.Serialize(call.Arguments, CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>)));
        return new ToolCallPart(call.CallId ?? string.Empty, call.Name, arguments);
    }

    public static Meai.ChatMessage ToMeai(ChatMessage message, string? reasoningText = null)
    {
        var contents = new List<AIContent>(message.Parts.Count + 1);
        if (!string.IsNullOrEmpty(reasoningText))
        {
            contents.Add(new TextReasoningContent(reasoningText));
        }

        foreach (var part in message.Parts)
        {
            contents.Add(part switch
            {
                TextPart text => new TextContent(text.Text),
                ToolCallPart call => ToMeai(call),
                ToolResultPart result => new FunctionResultContent(result.CallId, result.Result)
                {
                    RawRepresentation = result,
                    AdditionalProperties = result.IsError ? new AdditionalPropertiesDictionary { [InteropKeys.ToolResultIsError] = true } : null,
                },
                _ => throw new NotSupportedException($"Unknown message part {part.GetType().Name}."),
            });
        }

        return new Meai.ChatMessage(ToMeai(message.Role), contents) { RawRepresentation = message };
    }

    public static FunctionCallContent ToMeai(ToolCallPart call)
    {
        var content = new FunctionCallContent(call.CallId, call.Name) { RawRepresentation = call };
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(call.ArgumentsJson) ? "{}" : call.ArgumentsJson);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    arguments[property.Name] = property.Value.Clone();
                }

                content.Arguments = arguments;
            }
            else
            {
                content.Exception = new JsonException("The tool call's arguments are not a JSON object.");
            }
        }
        catch (JsonException ex)
        {
            // As Microsoft.Extensions.AI's own clients do: malformed arguments are kept as the content's exception.
            content.Exception = ex;
        }

        return content;
    }

    public static ChatRole ToMellea(Meai.ChatRole role)
    {
        if (role == Meai.ChatRole.System)
        {
            return ChatRole.System;
        }

        if (role == Meai.ChatRole.User)
        {
            return ChatRole.User;
        }

        if (role == Meai.ChatRole.Assistant)
        {
            return ChatRole.Assistant;
        }

        if (role == Meai.ChatRole.Tool)
        {
            return ChatRole.Tool;
        }

        throw new NotSupportedException($"Mellea has no chat role '{role.Value}'; use system, user, assistant or tool.");
    }

    public static Meai.ChatRole ToMeai(ChatRole role) => role switch
    {
        ChatRole.System => Meai.ChatRole.System,
        ChatRole.User => Meai.ChatRole.User,
        ChatRole.Assistant => Meai.ChatRole.Assistant,
        ChatRole.Tool => Meai.ChatRole.Tool,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown chat role."),
    };

    public static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(result, CompactJson.GetTypeInfo(result.GetType())),
    };
}
