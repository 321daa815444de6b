using System.Globalization;

namespace Mellea;

/// <summary>The bindable form of the defaults the <c>defaults</c> middleware fills in (the "Defaults" configuration section).</summary>
public sealed class DefaultOptionsSettings
{
    /// <summary>See <see cref="GenerationOptions.Temperature"/>.</summary>
    public double? Temperature { get; set; }

    /// <summary>See <see cref="GenerationOptions.TopP"/>.</summary>
    public double? TopP { get; set; }

    /// <summary>See <see cref="GenerationOptions.TopK"/>.</summary>
    public int? TopK { get; set; }

    /// <summary>See <see cref="GenerationOptions.MaxOutputTokens"/>.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>See <see cref="GenerationOptions.StopSequences"/>.</summary>
    public List<string>? StopSequences { get; set; }

    /// <summary>See <see cref="GenerationOptions.Seed"/>.</summary>
    public long? Seed { get; set; }

    /// <summary>See <see cref="GenerationOptions.FrequencyPenalty"/>.</summary>
    public double? FrequencyPenalty { get; set; }

    /// <summary>See <see cref="GenerationOptions.PresencePenalty"/>.</summary>
    public double? PresencePenalty { get; set; }

    /// <summary>See <see cref="GenerationOptions.ContextWindowTokens"/>.</summary>
    public int? ContextWindowTokens { get; set; }

    /// <summary>See <see cref="GenerationOptions.ReasoningLevel"/>.</summary>
    public string? ReasoningLevel { get; set; }

    /// <summary>Converts to <see cref="GenerationOptions"/>, with <paramref name="modelId"/> as the default model.</summary>
    /// <param name="modelId">The pipeline's model.</param>
    public GenerationOptions ToOptions(string? modelId) => new()
    {
        ModelId = string.IsNullOrWhiteSpace(modelId) ? null : modelId,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        MaxOutputTokens = MaxOutputTokens,
        StopSequences = StopSequences is { Count: > 0 } ? [.. StopSequences] : null,
        Seed = Seed,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        ContextWindowTokens = ContextWindowTokens,
        ReasoningLevel = ReasoningLevel,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"defaults(temperature={Temperature}, max_tokens={MaxOutputTokens})");
}
