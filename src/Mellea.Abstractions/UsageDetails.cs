using System.Diagnostics;

namespace Mellea;

/// <summary>Token counts of one generation. Every count is <see langword="null"/> when the provider did not report it.</summary>
/// <remarks>
/// <see cref="CacheReadInputTokens"/> and <see cref="CacheWriteInputTokens"/> are subsets of <see cref="InputTokens"/>;
/// <see cref="ReasoningOutputTokens"/> is a subset of <see cref="OutputTokens"/>, as in the OTel GenAI conventions.
/// </remarks>
[DebuggerDisplay("in={InputTokens} out={OutputTokens} total={TotalTokens}")]
public sealed class UsageDetails
{
    /// <summary>Input (prompt) tokens, cached ones included.</summary>
    public long? InputTokens { get; set; }

    /// <summary>Output (completion) tokens, reasoning ones included.</summary>
    public long? OutputTokens { get; set; }

    /// <summary>Total tokens as the provider reported them, or input plus output.</summary>
    public long? TotalTokens { get; set; }

    /// <summary>Input tokens read from the provider's prompt cache.</summary>
    public long? CacheReadInputTokens { get; set; }

    /// <summary>Input tokens written to the provider's prompt cache.</summary>
    public long? CacheWriteInputTokens { get; set; }

    /// <summary>Output tokens spent on reasoning.</summary>
    public long? ReasoningOutputTokens { get; set; }

    /// <summary>Adds <paramref name="other"/> to these counts. Null plus null stays null; null plus a value is the value.</summary>
    /// <param name="other">The counts to add.</param>
    public void Add(UsageDetails other)
    {
        ArgumentNullException.ThrowIfNull(other);
        InputTokens = Sum(InputTokens, other.InputTokens);
        OutputTokens = Sum(OutputTokens, other.OutputTokens);
        TotalTokens = Sum(TotalTokens, other.TotalTokens);
        CacheReadInputTokens = Sum(CacheReadInputTokens, other.CacheReadInputTokens);
        CacheWriteInputTokens = Sum(CacheWriteInputTokens, other.CacheWriteInputTokens);
        ReasoningOutputTokens = Sum(ReasoningOutputTokens, other.ReasoningOutputTokens);
    }

    /// <summary>Fills <see cref="TotalTokens"/> from input plus output when the provider did not report it.</summary>
    /// <returns>This instance.</returns>
    public UsageDetails WithComputedTotal()
    {
        if (TotalTokens is null && InputTokens is { } input && OutputTokens is { } output)
        {
            TotalTokens = input + output;
        }

        return this;
    }

    /// <inheritdoc/>
    public override string ToString() => $"usage(in={InputTokens}, out={OutputTokens}, total={TotalTokens})";

    private static long? Sum(long? a, long? b) => a is null ? b : b is null ? a : a + b;
}
