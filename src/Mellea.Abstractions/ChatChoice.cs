namespace Mellea;

/// <summary>One answer of a chat response (there is more than one when <see cref="GenerationOptions.ChoiceCount"/> &gt; 1).</summary>
public sealed class ChatChoice
{
    /// <summary>Creates a choice.</summary>
    /// <param name="index">The provider's choice index.</param>
    /// <param name="message">The assistant message: text parts and tool-call parts.</param>
    /// <param name="finishReason">Why this choice ended, if known.</param>
    /// <param name="reasoningText">Reasoning text, where the provider returns it.</param>
    public ChatChoice(int index, ChatMessage message, FinishReason? finishReason = null, string? reasoningText = null)
    {
        Index = index;
        Message = message ?? throw new ArgumentNullException(nameof(message));
        FinishReason = finishReason;
        ReasoningText = reasoningText;
    }

    /// <summary>The choice index.</summary>
    public int Index { get; }

    /// <summary>The assistant message.</summary>
    public ChatMessage Message { get; }

    /// <summary>Why this choice ended.</summary>
    public FinishReason? FinishReason { get; }

    /// <summary>Reasoning text, where the provider returns it.</summary>
    public string? ReasoningText { get; }

    /// <summary>The text of <see cref="Message"/>.</summary>
    public string Text => Message.Text;

    /// <inheritdoc/>
    public override string ToString() => $"choice {Index} ({FinishReason?.Value ?? "unfinished"})";
}
