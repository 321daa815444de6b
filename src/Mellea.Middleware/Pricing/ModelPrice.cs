namespace Mellea;

/// <summary>
/// The per-token prices of one model, in US dollars, as LiteLLM's price file states them
/// (<c>input_cost_per_token</c>, <c>output_cost_per_token</c>, <c>cache_read_input_token_cost</c>, <c>cache_creation_input_token_cost</c>).
/// </summary>
/// <param name="InputCostPerToken">The price of one uncached input token.</param>
/// <param name="OutputCostPerToken">The price of one output token (reasoning tokens included).</param>
/// <param name="CacheReadInputTokenCost">The price of one input token read from the prompt cache; the input price when null.</param>
/// <param name="CacheCreationInputTokenCost">The price of one input token written to the prompt cache; the input price when null.</param>
public sealed record ModelPrice(double InputCostPerToken, double OutputCostPerToken, double? CacheReadInputTokenCost = null, double? CacheCreationInputTokenCost = null)
{
    /// <summary>
    /// The cost of <paramref name="usage"/>: uncached input at the input price, cached input at the cache prices, output at
    /// the output price. Unknown counts count as zero. Cache counts are a subset of the input count, as in <see cref="UsageDetails"/>.
    /// </summary>
    /// <param name="usage">The token counts.</param>
    /// <returns>The cost in US dollars.</returns>
    public double ComputeCost(UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var input = usage.InputTokens ?? 0;
        var cacheRead = usage.CacheReadInputTokens ?? 0;
        var cacheWrite = usage.CacheWriteInputTokens ?? 0;

        // A provider that reports more cached tokens than input tokens (it happens) must not make the uncached share negative.
        var uncached = Math.Max(0, input - cacheRead - cacheWrite);
        return (uncached * InputCostPerToken)
            + (cacheRead * (CacheReadInputTokenCost ?? InputCostPerToken))
            + (cacheWrite * (CacheCreationInputTokenCost ?? InputCostPerToken))
            + ((usage.OutputTokens ?? 0) * OutputCostPerToken);
    }
}
