using System.Globalization;

namespace Mellea.Backends.LiteLlm;

/// <summary>Reads LiteLLM's response headers into <see cref="GenerationMetadata"/>.</summary>
/// <remarks>
/// <c>x-litellm-response-cost</c> (USD) becomes <see cref="GenerationMetadata.ReportedCostUsd"/>, which the metrics middleware prefers
/// over a price table. The deployment hash, upstream base URL and retry count go into <see cref="GenerationMetadata.ProviderExtras"/>
/// under <see cref="ModelIdKey"/>, <see cref="ModelApiBaseKey"/> and <see cref="AttemptedRetriesKey"/>.
/// </remarks>
public static class LiteLlmResponseHeaders
{
    /// <summary>The extras key of <c>x-litellm-model-id</c> (the deployment hash).</summary>
    public const string ModelIdKey = "litellm.model_id";

    /// <summary>The extras key of <c>x-litellm-model-api-base</c> (the upstream base URL).</summary>
    public const string ModelApiBaseKey = "litellm.model_api_base";

    /// <summary>The extras key of <c>x-litellm-attempted-retries</c> (an int).</summary>
    public const string AttemptedRetriesKey = "litellm.attempted_retries";

    /// <summary>Fills the metadata from the response headers.</summary>
    /// <param name="response">The response.</param>
    /// <param name="metadata">The metadata to fill.</param>
    public static void Read(HttpResponseMessage response, GenerationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(metadata);
        if (Header(response, "x-litellm-response-cost") is { } cost
            && double.TryParse(cost, NumberStyles.Float, CultureInfo.InvariantCulture, out var usd)
            && double.IsFinite(usd) && usd >= 0)
        {
            metadata.ReportedCostUsd = usd;
        }

        if (Header(response, "x-litellm-model-id") is { } modelId)
        {
            Extras(metadata)[ModelIdKey] = modelId;
        }

        if (Header(response, "x-litellm-model-api-base") is { } apiBase)
        {
            Extras(metadata)[ModelApiBaseKey] = apiBase;
        }

        if (Header(response, "x-litellm-attempted-retries") is { } retries
            && int.TryParse(retries, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
        {
            Extras(metadata)[AttemptedRetriesKey] = count;
        }
    }

    private static IDictionary<string, object?> Extras(GenerationMetadata metadata) =>
        metadata.ProviderExtras ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    private static string? Header(HttpResponseMessage response, string name)
    {
        if (!response.Headers.TryGetValues(name, out var values))
        {
            return null;
        }

        var value = values.FirstOrDefault()?.Trim();

        // LiteLLM writes Python's None for absent values.
        return string.IsNullOrEmpty(value) || value == "None" ? null : value;
    }
}
