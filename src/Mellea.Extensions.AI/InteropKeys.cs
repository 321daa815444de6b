namespace Mellea.Extensions.AI;

/// <summary>
/// The <c>AdditionalProperties</c> keys under which the adapters carry what only one side has, so that a round trip
/// (Mellea → IChatClient → Mellea, or the other way) gives back what went in. docs/interop.md lists them.
/// </summary>
public static class InteropKeys
{
    /// <summary><see cref="GenerationOptions.ChoiceCount"/> (Microsoft.Extensions.AI has no choice count).</summary>
    public const string ChoiceCount = "mellea.choice_count";

    /// <summary><see cref="GenerationOptions.ContextWindowTokens"/>.</summary>
    public const string ContextWindowTokens = "mellea.context_window_tokens";

    /// <summary><see cref="GenerationOptions.TelemetryTags"/>, as a string dictionary.</summary>
    public const string TelemetryTags = "mellea.telemetry_tags";

    /// <summary>A <see cref="GenerationOptions.ReasoningLevel"/> that <c>ReasoningEffort</c> has no value for.</summary>
    public const string ReasoningLevel = "mellea.reasoning_level";

    /// <summary>Whether a JSON schema response format is strict; the key Microsoft.Extensions.AI's OpenAI client reads.</summary>
    public const string StrictJsonSchema = "strictJsonSchema";

    /// <summary>
    /// <c>ChatOptions.AllowMultipleToolCalls</c> in Mellea's <see cref="GenerationOptions.AdditionalProperties"/>: the OpenAI wire
    /// name, which Mellea's OpenAI-compatible backends send as it is.
    /// </summary>
    public const string ParallelToolCalls = "parallel_tool_calls";

    /// <summary>In <c>UsageDetails.AdditionalCounts</c>: <see cref="UsageDetails.CacheWriteInputTokens"/>.</summary>
    public const string CacheWriteInputTokens = "mellea.cache_write_input_tokens";

    /// <summary>On a <c>FunctionResultContent</c>: <see langword="true"/> when the <see cref="ToolResultPart"/> is an error.</summary>
    public const string ToolResultIsError = "mellea.tool_result.is_error";

    /// <summary>On a response: <see cref="GenerationMetadata.ProviderRequestId"/>.</summary>
    public const string ProviderRequestId = "mellea.provider_request_id";

    /// <summary>On a response: <see cref="GenerationMetadata.ReportedCostUsd"/>.</summary>
    public const string ReportedCostUsd = "mellea.reported_cost_usd";
}
