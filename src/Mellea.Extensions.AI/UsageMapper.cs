using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>Token counts both ways. Microsoft.Extensions.AI has no cache-write count: it travels in <c>AdditionalCounts</c>.</summary>
internal static class UsageMapper
{
    public static Meai.UsageDetails? ToMeai(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        var result = new Meai.UsageDetails
        {
            InputTokenCount = usage.InputTokens,
            OutputTokenCount = usage.OutputTokens,
            TotalTokenCount = usage.TotalTokens,
            CachedInputTokenCount = usage.CacheReadInputTokens,
            ReasoningTokenCount = usage.ReasoningOutputTokens,
        };
        if (usage.CacheWriteInputTokens is { } cacheWrite)
        {
            result.AdditionalCounts = new Meai.AdditionalPropertiesDictionary<long> { [InteropKeys.CacheWriteInputTokens] = cacheWrite };
        }

        return result;
    }

    public static UsageDetails? ToMellea(Meai.UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokens = usage.InputTokenCount,
            OutputTokens = usage.OutputTokenCount,
            TotalTokens = usage.TotalTokenCount,
            CacheReadInputTokens = usage.CachedInputTokenCount,
            ReasoningOutputTokens = usage.ReasoningTokenCount,
            CacheWriteInputTokens = usage.AdditionalCounts is { } counts && counts.TryGetValue(InteropKeys.CacheWriteInputTokens, out var cacheWrite) ? cacheWrite : null,
        };
    }
}
