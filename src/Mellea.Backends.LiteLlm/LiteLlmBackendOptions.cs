namespace Mellea.Backends.LiteLlm;

/// <summary>
/// Settings of <see cref="LiteLlmBackend"/>. Unset properties fall back to <c>LITELLM_API_KEY</c> and <c>LITELLM_BASE_URL</c>, then to
/// their defaults.
/// </summary>
public sealed class LiteLlmBackendOptions
{
    /// <summary>The environment variable of the virtual or master key.</summary>
    public const string ApiKeyVariable = "LITELLM_API_KEY";

    /// <summary>The environment variable of the proxy's base URL.</summary>
    public const string BaseUrlVariable = "LITELLM_BASE_URL";

    /// <summary>The base URL used when neither the options nor the environment set one.</summary>
    public const string DefaultBaseUrl = "http://localhost:4000";

    /// <summary>The virtual or master key. Falls back to <c>LITELLM_API_KEY</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The proxy's base URL. Falls back to <c>LITELLM_BASE_URL</c>, then <c>http://localhost:4000</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The model (a LiteLLM model group alias) used when a request names none.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// Whether a call without a key fails before it is sent. Off by default: a proxy started without a master key accepts
    /// calls without <c>Authorization</c>. Turn it on when the proxy requires keys, to fail fast with a message naming
    /// <c>LITELLM_API_KEY</c>.
    /// </summary>
    public bool RequireApiKey { get; set; }

    /// <summary>Returns a copy.</summary>
    public LiteLlmBackendOptions Clone() => new() { ApiKey = ApiKey, BaseUrl = BaseUrl, Model = Model, RequireApiKey = RequireApiKey };

    /// <inheritdoc/>
    public override string ToString() => $"LiteLlmBackendOptions(base={BaseUrl ?? "(env or default)"}, model={Model ?? "(unset)"}, key={(ApiKey is null ? "unset" : "set")})";
}
