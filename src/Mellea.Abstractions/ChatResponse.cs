namespace Mellea;

/// <summary>The answer to a <see cref="ChatRequest"/>: one or more choices and the call's <see cref="GenerationMetadata"/>.</summary>
public sealed class ChatResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="choices">The choices, ordered by index. At least one.</param>
    /// <param name="metadata">What the generation did.</param>
    public ChatResponse(IReadOnlyList<ChatChoice> choices, GenerationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Count == 0)
        {
            throw new ArgumentException("A chat response needs at least one choice.", nameof(choices));
        }

        Choices = choices;
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
    }

    /// <summary>Creates a single-choice text response, as a cache or a test would.</summary>
    /// <param name="text">The assistant's text.</param>
    /// <param name="metadata">What the generation did.</param>
    public ChatResponse(string text, GenerationMetadata metadata)
        : this([new ChatChoice(0, ChatMessage.Assistant(text), metadata?.FinishReasons.Count > 0 ? metadata.FinishReasons[0] : null)], metadata!)
    {
    }

    /// <summary>The choices, ordered by index.</summary>
    public IReadOnlyList<ChatChoice> Choices { get; }

    /// <summary>What the generation did.</summary>
    public GenerationMetadata Metadata { get; }

    /// <summary>The first choice's message.</summary>
    public ChatMessage Message => Choices[0].Message;

    /// <summary>The first choice's text.</summary>
    public string Text => Choices[0].Text;

    /// <summary>The first choice's tool calls.</summary>
    public IEnumerable<ToolCallPart> ToolCalls => Choices[0].Message.ToolCalls;

    /// <summary>The first choice's reasoning text.</summary>
    public string? ReasoningText => Choices[0].ReasoningText;

    /// <inheritdoc/>
    public override string ToString() => $"ChatResponse({Choices.Count} choice(s), {Metadata})";
}
