namespace Mellea;

/// <summary>
/// One update of a streamed chat answer: a text delta, a reasoning delta, tool-call deltas, or the end of a choice.
/// The last update of a stream carries the final <see cref="Metadata"/> (usage, finish reasons, ids), so a
/// middleware learns them without buffering the text.
/// </summary>
public sealed class ChatResponseUpdate
{
    /// <summary>The choice this update belongs to.</summary>
    public int ChoiceIndex { get; init; }

    /// <summary>Text to append to the choice.</summary>
    public string? TextDelta { get; init; }

    /// <summary>Reasoning text to append to the choice.</summary>
    public string? ReasoningDelta { get; init; }

    /// <summary>Tool-call fragments, assembled by <see cref="ToolCallUpdate.Index"/>.</summary>
    public IReadOnlyList<ToolCallUpdate>? ToolCallDeltas { get; init; }

    /// <summary>Set on the update that ends a choice.</summary>
    public FinishReason? FinishReason { get; init; }

    /// <summary>Set on the last update of the stream only.</summary>
    public GenerationMetadata? Metadata { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        Metadata is not null ? "final update" : $"update for choice {ChoiceIndex}";
}

/// <summary>A fragment of a streamed tool call. Fragments with the same <see cref="Index"/> build one call.</summary>
public sealed class ToolCallUpdate
{
    /// <summary>The position of the call in the choice.</summary>
    public int Index { get; init; }

    /// <summary>The call id, on the first fragment.</summary>
    public string? CallId { get; init; }

    /// <summary>The tool name, on the first fragment.</summary>
    public string? Name { get; init; }

    /// <summary>A piece of the arguments JSON text.</summary>
    public string? ArgumentsDelta { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"tool call delta {Index} {Name}";
}
