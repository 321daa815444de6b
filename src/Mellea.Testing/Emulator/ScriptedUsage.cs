namespace Mellea.Testing;

/// <summary>Token counts a script reports. Each wire format writes the counts its provider has and leaves out the rest.</summary>
public sealed class ScriptedUsage
{
    /// <summary>Input tokens, cached ones included.</summary>
    public int InputTokens { get; set; }

    /// <summary>Output tokens, reasoning ones included.</summary>
    public int OutputTokens { get; set; }

    /// <summary>Input tokens read from a prompt cache (OpenAI <c>prompt_tokens_details.cached_tokens</c>), or null for none reported.</summary>
    public int? CachedInputTokens { get; set; }

    /// <summary>Output tokens spent reasoning (OpenAI <c>completion_tokens_details.reasoning_tokens</c>), or null for none reported.</summary>
    public int? ReasoningOutputTokens { get; set; }

    /// <summary>Input plus output.</summary>
    public int TotalTokens => InputTokens + OutputTokens;

    /// <inheritdoc/>
    public override string ToString() => $"usage(in={InputTokens}, out={OutputTokens})";
}
