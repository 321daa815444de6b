namespace Mellea;

/// <summary>One part of a <see cref="ChatMessage"/>: text, a tool call, or a tool result.</summary>
/// <remarks>The set of parts is closed: <see cref="TextPart"/>, <see cref="ToolCallPart"/> and <see cref="ToolResultPart"/>.</remarks>
public abstract class MessagePart
{
    private protected MessagePart()
    {
    }
}

/// <summary>Plain text.</summary>
public sealed class TextPart : MessagePart
{
    /// <summary>Creates a text part.</summary>
    /// <param name="text">The text; may be empty but not null.</param>
    public TextPart(string text) => Text = text ?? throw new ArgumentNullException(nameof(text));

    /// <summary>The text.</summary>
    public string Text { get; }

    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>A request from the model to call a tool.</summary>
public sealed class ToolCallPart : MessagePart
{
    /// <summary>Creates a tool call.</summary>
    /// <param name="callId">The provider's id for this call (may be empty for providers that have none, such as Ollama).</param>
    /// <param name="name">The tool's name.</param>
    /// <param name="argumentsJson">The arguments as a JSON object text, exactly as the model produced them.</param>
    public ToolCallPart(string callId, string name, string argumentsJson)
    {
        CallId = callId ?? throw new ArgumentNullException(nameof(callId));
        Name = name ?? throw new ArgumentNullException(nameof(name));
        ArgumentsJson = argumentsJson ?? throw new ArgumentNullException(nameof(argumentsJson));
    }

    /// <summary>The provider's id for this call.</summary>
    public string CallId { get; }

    /// <summary>The tool's name.</summary>
    public string Name { get; }

    /// <summary>The arguments as JSON text. It is not validated: a model can produce malformed JSON.</summary>
    public string ArgumentsJson { get; }

    /// <inheritdoc/>
    public override string ToString() => $"tool_call {Name} ({CallId})";
}

/// <summary>The result of a tool call, sent back to the model in a <see cref="ChatRole.Tool"/> message.</summary>
public sealed class ToolResultPart : MessagePart
{
    /// <summary>Creates a tool result.</summary>
    /// <param name="callId">The id of the <see cref="ToolCallPart"/> this answers.</param>
    /// <param name="result">The result as text (usually JSON).</param>
    /// <param name="isError">Whether the tool failed and <paramref name="result"/> describes the failure.</param>
    public ToolResultPart(string callId, string result, bool isError = false)
    {
        CallId = callId ?? throw new ArgumentNullException(nameof(callId));
        Result = result ?? throw new ArgumentNullException(nameof(result));
        IsError = isError;
    }

    /// <summary>The id of the call this answers.</summary>
    public string CallId { get; }

    /// <summary>The result text.</summary>
    public string Result { get; }

    /// <summary>Whether the tool failed.</summary>
    public bool IsError { get; }

    /// <inheritdoc/>
    public override string ToString() => $"tool_result ({CallId})";
}
