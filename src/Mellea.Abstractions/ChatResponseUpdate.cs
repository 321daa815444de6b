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

    // The finish reason is kept as its two parts, the kind offset by one so that 0 means none, rather than as a
    // FinishReason? (24 bytes with its has-value flag): the kind then packs beside ChoiceIndex and an update is 64 bytes,
    // not 80. Every streamed chunk allocates one update, so that is a fifth of what a typical chunk allocates besides its text.
    private readonly string? _finishRaw;
    private readonly int _finishKindPlusOne;

    /// <summary>Set on the update that ends a choice.</summary>
    public FinishReason? FinishReason
    {
        get => _finishKindPlusOne == 0 ? null : new FinishReason((FinishReasonKind)(_finishKindPlusOne - 1), _finishRaw!);
        init
        {
            _finishKindPlusOne = value is { } finish ? (int)finish.Kind + 1 : 0;
            _finishRaw = value?.Raw;
        }
    }

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
