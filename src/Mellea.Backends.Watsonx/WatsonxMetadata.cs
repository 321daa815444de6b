namespace Mellea.Backends.Watsonx;

/// <summary>Metadata helpers shared by the chat and generation paths.</summary>
internal static class WatsonxMetadata
{
    /// <summary>
    /// Keeps the raw value of a finish reason whose normalized kind loses information (<c>time_limit</c> is reported as length, as the
    /// normalization table says, but a time budget is not a token budget).
    /// </summary>
    public static void AddRawFinishReasons(GenerationMetadata metadata)
    {
        List<string>? raw = null;
        foreach (var finish in metadata.FinishReasons)
        {
            if (finish.Raw != finish.Value)
            {
                raw ??= [];
                raw.Add(finish.Raw);
            }
        }

        if (raw is not null)
        {
            metadata.ProviderExtras ??= new Dictionary<string, object?>(StringComparer.Ordinal);
            metadata.ProviderExtras[WatsonxExtras.RawFinishReasons] = raw.ToArray();
        }
    }

    /// <summary>Normalizes a finish reason; <c>not_finished</c> (a generation still running) is no finish at all.</summary>
    public static FinishReason? Normalize(string? raw, bool hasToolCalls = false) =>
        string.IsNullOrEmpty(raw) || raw.Equals("not_finished", StringComparison.OrdinalIgnoreCase)
            ? null
            : FinishReason.Normalize(raw.ToLowerInvariant(), hasToolCalls);
}
