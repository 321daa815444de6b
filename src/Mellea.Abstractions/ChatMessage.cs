using System.Diagnostics;

namespace Mellea;

/// <summary>One message of a conversation: a role and its parts.</summary>
/// <remarks>
/// Messages are immutable once built, so one instance can be shared by concurrent requests.
/// <see cref="ToString"/> never includes the content: messages carry user data, and a
/// <c>ToString()</c> ends up in logs.
/// </remarks>
[DebuggerDisplay("{Role}: {Parts.Count} part(s)")]
public sealed class ChatMessage
{
    /// <summary>Creates a message.</summary>
    /// <param name="role">The author.</param>
    /// <param name="parts">The parts, in order. The list is copied.</param>
    public ChatMessage(ChatRole role, IEnumerable<MessagePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Role = role;
        MessagePart[] copy = [.. parts];
        foreach (var part in copy)
        {
            if (part is null)
            {
                throw new ArgumentException("A message part must not be null.", nameof(parts));
            }
        }

        Parts = copy;
    }

    /// <summary>Creates a message with a single text part.</summary>
    /// <param name="role">The author.</param>
    /// <param name="text">The text.</param>
    public ChatMessage(ChatRole role, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Role = role;
        Parts = [new TextPart(text)];
    }

    /// <summary>The author.</summary>
    public ChatRole Role { get; }

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<MessagePart> Parts { get; }

    /// <summary>The concatenated text of every <see cref="TextPart"/>, or an empty string.</summary>
    public string Text
    {
        get
        {
            string? single = null;
            System.Text.StringBuilder? builder = null;
            foreach (var part in Parts)
            {
                if (part is not TextPart text)
                {
                    continue;
                }

                if (single is null)
                {
                    single = text.Text;
                }
                else
                {
                    builder ??= new System.Text.StringBuilder(single);
                    builder.Append(text.Text);
                }
            }

            return builder?.ToString() ?? single ?? string.Empty;
        }
    }

    /// <summary>The tool calls in this message, in order.</summary>
    public IEnumerable<ToolCallPart> ToolCalls => Parts.OfType<ToolCallPart>();

    /// <summary>Creates a system message.</summary>
    /// <param name="text">The instructions.</param>
    public static ChatMessage System(string text) => new(ChatRole.System, text);

    /// <summary>Creates a user message.</summary>
    /// <param name="text">The user's text.</param>
    public static ChatMessage User(string text) => new(ChatRole.User, text);

    /// <summary>Creates an assistant message.</summary>
    /// <param name="text">The model's text.</param>
    public static ChatMessage Assistant(string text) => new(ChatRole.Assistant, text);

    /// <summary>Creates a tool message that answers one tool call.</summary>
    /// <param name="callId">The id of the call.</param>
    /// <param name="result">The result text.</param>
    /// <param name="isError">Whether the tool failed.</param>
    public static ChatMessage ToolResult(string callId, string result, bool isError = false) =>
        new(ChatRole.Tool, [new ToolResultPart(callId, result, isError)]);

    /// <inheritdoc/>
    public override string ToString() => $"{Role.ToWireName()} message with {Parts.Count} part(s)";
}
