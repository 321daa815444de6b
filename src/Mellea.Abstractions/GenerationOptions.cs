namespace Mellea;

/// <summary>
/// The settings of one generation: model, sampling, limits, tools, format and provider extras.
/// Every property is optional; an unset property is left out of the provider request.
/// </summary>
/// <remarks>
/// Options are mutable so that they are easy to build. Middlewares never change a caller's instance:
/// they work on a <see cref="Clone"/>. Do not change an instance while a request that uses it is running.
/// </remarks>
public sealed class GenerationOptions
{
    /// <summary>The model id, exactly as the provider names it.</summary>
    public string? ModelId { get; set; }

    /// <summary>Sampling temperature, from 0 to 2.</summary>
    public double? Temperature { get; set; }

    /// <summary>Nucleus sampling probability mass, from 0 to 1.</summary>
    public double? TopP { get; set; }

    /// <summary>Top-K sampling: how many of the most likely tokens are considered. At least 1.</summary>
    public int? TopK { get; set; }

    /// <summary>The most tokens to generate. At least 1.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>Strings that end generation when produced.</summary>
    public IList<string>? StopSequences { get; set; }

    /// <summary>A seed for reproducible sampling, where the provider supports it.</summary>
    public long? Seed { get; set; }

    /// <summary>Penalty for tokens by their frequency so far, from -2 to 2.</summary>
    public double? FrequencyPenalty { get; set; }

    /// <summary>Penalty for tokens that already appeared, from -2 to 2.</summary>
    public double? PresencePenalty { get; set; }

    /// <summary>How many choices to generate (<c>n</c>). At least 1.</summary>
    public int? ChoiceCount { get; set; }

    /// <summary>The context window to load the model with, in tokens (Ollama's <c>num_ctx</c>).</summary>
    public int? ContextWindowTokens { get; set; }

    /// <summary>The tools the model may call.</summary>
    public IList<ToolDefinition>? Tools { get; set; }

    /// <summary>How the model may use <see cref="Tools"/>.</summary>
    public ToolChoice? ToolChoice { get; set; }

    /// <summary>The format the answer must take.</summary>
    public ResponseFormat? ResponseFormat { get; set; }

    /// <summary>The reasoning effort, exactly as sent to the provider (for example <c>low</c>, <c>medium</c>, <c>high</c>).</summary>
    public string? ReasoningLevel { get; set; }

    /// <summary>The caller's conversation id. Mellea never invents one.</summary>
    public string? ConversationId { get; set; }

    /// <summary>Provider-specific settings, passed to the provider request under their own names.</summary>
    public IDictionary<string, object?>? AdditionalProperties { get; set; }

    /// <summary>
    /// Caller tags for telemetry (tenant, feature). The tracing and metrics middlewares add the keys that
    /// their allowlist names to spans and metrics; other keys are ignored, which keeps cardinality bounded.
    /// </summary>
    public IDictionary<string, string>? TelemetryTags { get; set; }

    /// <summary>Returns a copy whose collections are copies too, so that changing it never changes this instance.</summary>
    public GenerationOptions Clone() => new()
    {
        ModelId = ModelId,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MaxOutputTokens = MaxOutputTokens,
        StopSequences = StopSequences is null ? null : [.. StopSequences],
        Seed = Seed,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        ChoiceCount = ChoiceCount,
        ContextWindowTokens = ContextWindowTokens,
        Tools = Tools is null ? null : [.. Tools],
        ToolChoice = ToolChoice,
        ResponseFormat = ResponseFormat,
        ReasoningLevel = ReasoningLevel,
        ConversationId = ConversationId,
        AdditionalProperties = AdditionalProperties is null ? null : new Dictionary<string, object?>(AdditionalProperties, StringComparer.Ordinal),
        TelemetryTags = TelemetryTags is null ? null : new Dictionary<string, string>(TelemetryTags, StringComparer.Ordinal),
    };

    /// <summary>
    /// Returns a copy in which every property that is unset here takes its value from <paramref name="defaults"/>.
    /// Dictionaries are merged key by key, and keys set here win.
    /// </summary>
    /// <param name="defaults">The defaults.</param>
    public GenerationOptions WithDefaults(GenerationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var merged = Clone();
        merged.ModelId ??= defaults.ModelId;
        merged.Temperature ??= defaults.Temperature;
        merged.TopP ??= defaults.TopP;
        merged.TopK ??= defaults.TopK;
        merged.MaxOutputTokens ??= defaults.MaxOutputTokens;
        merged.StopSequences ??= defaults.StopSequences is null ? null : [.. defaults.StopSequences];
        merged.Seed ??= defaults.Seed;
        merged.FrequencyPenalty ??= defaults.FrequencyPenalty;
        merged.PresencePenalty ??= defaults.PresencePenalty;
        merged.ChoiceCount ??= defaults.ChoiceCount;
        merged.ContextWindowTokens ??= defaults.ContextWindowTokens;
        merged.Tools ??= defaults.Tools is null ? null : [.. defaults.Tools];
        merged.ToolChoice ??= defaults.ToolChoice;
        merged.ResponseFormat ??= defaults.ResponseFormat;
        merged.ReasoningLevel ??= defaults.ReasoningLevel;
        merged.ConversationId ??= defaults.ConversationId;
        merged.AdditionalProperties = Merge(merged.AdditionalProperties, defaults.AdditionalProperties);
        merged.TelemetryTags = Merge(merged.TelemetryTags, defaults.TelemetryTags);
        return merged;
    }

    /// <summary>Whether <see cref="WithDefaults"/> would change anything.</summary>
    /// <param name="defaults">The defaults.</param>
    public bool LacksAnyOf(GenerationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return (ModelId is null && defaults.ModelId is not null)
            || (Temperature is null && defaults.Temperature is not null)
            || (TopP is null && defaults.TopP is not null)
            || (TopK is null && defaults.TopK is not null)
            || (MaxOutputTokens is null && defaults.MaxOutputTokens is not null)
            || (StopSequences is null && defaults.StopSequences is not null)
            || (Seed is null && defaults.Seed is not null)
            || (FrequencyPenalty is null && defaults.FrequencyPenalty is not null)
            || (PresencePenalty is null && defaults.PresencePenalty is not null)
            || (ChoiceCount is null && defaults.ChoiceCount is not null)
            || (ContextWindowTokens is null && defaults.ContextWindowTokens is not null)
            || (Tools is null && defaults.Tools is not null)
            || (ToolChoice is null && defaults.ToolChoice is not null)
            || (ResponseFormat is null && defaults.ResponseFormat is not null)
            || (ReasoningLevel is null && defaults.ReasoningLevel is not null)
            || (ConversationId is null && defaults.ConversationId is not null)
            || MissesKeys(AdditionalProperties, defaults.AdditionalProperties)
            || MissesKeys(TelemetryTags, defaults.TelemetryTags);
    }

    /// <inheritdoc/>
    public override string ToString() => $"GenerationOptions(model={ModelId ?? "(default)"})";

    private static IDictionary<string, TValue>? Merge<TValue>(IDictionary<string, TValue>? own, IDictionary<string, TValue>? defaults)
    {
        if (defaults is null || defaults.Count == 0)
        {
            return own;
        }

        var result = new Dictionary<string, TValue>(defaults, StringComparer.Ordinal);
        if (own is not null)
        {
            foreach (var pair in own)
            {
                result[pair.Key] = pair.Value;
            }
        }

        return result;
    }

    private static bool MissesKeys<TValue>(IDictionary<string, TValue>? own, IDictionary<string, TValue>? defaults)
    {
        if (defaults is null || defaults.Count == 0)
        {
            return false;
        }

        if (own is null)
        {
            return true;
        }

        foreach (var key in defaults.Keys)
        {
            if (!own.ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }
}
