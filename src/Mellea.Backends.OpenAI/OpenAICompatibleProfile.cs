namespace Mellea.Backends.OpenAI;

/// <summary>
/// What distinguishes one OpenAI-compatible provider from another for <see cref="OpenAICompatibleClient"/>: its name, base URL,
/// credential, default model, extra headers, and a hook that reads provider-specific response headers into the metadata.
/// The OpenAI and LiteLLM backends each build one; an OpenAI-compatible backend for another server does the same.
/// </summary>
/// <remarks>The profile is read once, when the client is built. Nothing in it is validated then: a bad base URL or a missing key fails the first call.</remarks>
public sealed class OpenAICompatibleProfile
{
    /// <summary>The OTel <c>gen_ai.provider.name</c> value (<c>openai</c>, <c>litellm</c>).</summary>
    public required string ProviderName { get; init; }

    /// <summary>The base URL the routes are relative to (<c>https://api.openai.com/v1</c>, <c>http://localhost:4000</c>).</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Where <see cref="BaseUrl"/> came from (<c>OPENAI_BASE_URL</c>, <c>OpenAIBackendOptions.BaseUrl</c>), named when it cannot be parsed.</summary>
    public string BaseUrlSetting { get; init; } = "BaseUrl";

    /// <summary>The API key, sent as <c>Authorization: Bearer</c>. Never written to a message, log or <c>ToString()</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the key is set (<c>OPENAI_API_KEY</c>), named when it is missing or rejected.</summary>
    public string ApiKeySetting { get; init; } = "ApiKey";

    /// <summary>Whether a call without a key fails before it is sent (OpenAI) or goes out without <c>Authorization</c> (a proxy without keys).</summary>
    public bool RequireApiKey { get; init; } = true;

    /// <summary>The model used when a request names none.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Headers sent on every request (OpenAI's <c>OpenAI-Organization</c> and <c>OpenAI-Project</c>).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Whether <see cref="GenerationOptions.TopK"/> is sent as <c>top_k</c> (OpenAI rejects it; LiteLLM and vLLM accept it).</summary>
    public bool SendsTopK { get; init; }

    /// <summary>Response headers that carry the provider's request id, first match wins. Defaults to <c>x-request-id</c>.</summary>
    public IReadOnlyList<string>? RequestIdHeaders { get; init; }

    /// <summary>
    /// Reads provider-specific response headers into the metadata (LiteLLM's cost and deployment). Runs once per call, on streams
    /// when the final metadata is built.
    /// </summary>
    public Action<HttpResponseMessage, GenerationMetadata>? ReadResponseHeaders { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{ProviderName} profile ({BaseUrlSetting}, {ApiKeySetting})";
}
