namespace Mellea;

/// <summary>The answer to a <see cref="RawCompletionRequest"/>: one completion per prompt, in prompt order, and the batch's metadata.</summary>
public sealed class RawCompletionResponse
{
    /// <summary>Creates a response.</summary>
    /// <param name="completions">One completion per prompt, in prompt order.</param>
    /// <param name="metadata">The metadata of the whole batch; its usage is the sum over the prompts.</param>
    public RawCompletionResponse(IReadOnlyList<RawCompletion> completions, GenerationMetadata metadata)
    {
        Completions = completions ?? throw new ArgumentNullException(nameof(completions));
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
    }

    /// <summary>One completion per prompt, in prompt order.</summary>
    public IReadOnlyList<RawCompletion> Completions { get; }

    /// <summary>The batch's metadata.</summary>
    public GenerationMetadata Metadata { get; }

    /// <inheritdoc/>
    public override string ToString() => $"RawCompletionResponse({Completions.Count} completion(s), {Metadata})";
}

/// <summary>The completion of one prompt of a raw batch.</summary>
public sealed class RawCompletion
{
    /// <summary>Creates a completion.</summary>
    /// <param name="promptIndex">The index of the prompt this completes.</param>
    /// <param name="text">The generated text.</param>
    /// <param name="finishReason">Why it stopped.</param>
    /// <param name="usage">This prompt's token counts.</param>
    public RawCompletion(int promptIndex, string text, FinishReason? finishReason = null, UsageDetails? usage = null)
    {
        PromptIndex = promptIndex;
        Text = text ?? throw new ArgumentNullException(nameof(text));
        FinishReason = finishReason;
        Usage = usage;
    }

    /// <summary>The index of the prompt this completes.</summary>
    public int PromptIndex { get; }

    /// <summary>The generated text.</summary>
    public string Text { get; }

    /// <summary>Why it stopped.</summary>
    public FinishReason? FinishReason { get; }

    /// <summary>This prompt's token counts, where the provider reports them per prompt.</summary>
    public UsageDetails? Usage { get; }

    /// <inheritdoc/>
    public override string ToString() => $"completion of prompt {PromptIndex}";
}
