namespace Mellea.Backends.Http;

/// <summary>
/// What the HTTP layer needs to turn a failure into a <see cref="GenerationException"/> for one backend: the provider's name,
/// the secret to scrub from any text the provider echoes back, the variable that holds the credential (named in auth errors),
/// and the response headers that carry the provider's request id. Build one per backend instance; it is immutable.
/// </summary>
public sealed class ProviderErrorContext
{
    private static readonly string[] DefaultRequestIdHeaders = ["x-request-id"];

    /// <summary>Creates a context.</summary>
    /// <param name="providerName">The OTel <c>gen_ai.provider.name</c> value.</param>
    /// <param name="secret">The API key or token in use, scrubbed from every message; <see langword="null"/> when there is none.</param>
    /// <param name="credentialSetting">Where the credential comes from (for example <c>OPENAI_API_KEY</c>), named in auth errors.</param>
    /// <param name="requestIdHeaders">Response headers that carry the provider's request id, first match wins. Defaults to <c>x-request-id</c>.</param>
    public ProviderErrorContext(string providerName, string? secret = null, string? credentialSetting = null, IReadOnlyList<string>? requestIdHeaders = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ProviderName = providerName;
        Secret = string.IsNullOrEmpty(secret) ? null : secret;
        CredentialSetting = credentialSetting;
        RequestIdHeaders = requestIdHeaders is { Count: > 0 } ? requestIdHeaders : DefaultRequestIdHeaders;
    }

    /// <summary>The OTel <c>gen_ai.provider.name</c> value.</summary>
    public string ProviderName { get; }

    /// <summary>The secret scrubbed from messages.</summary>
    internal string? Secret { get; }

    /// <summary>Where the credential comes from, for auth error messages.</summary>
    public string? CredentialSetting { get; }

    /// <summary>Response headers that carry the provider's request id.</summary>
    public IReadOnlyList<string> RequestIdHeaders { get; }

    /// <summary>Replaces every occurrence of the secret in <paramref name="text"/>.</summary>
    /// <param name="text">Text that came from the provider or from an exception.</param>
    public string Scrub(string text) => SecretScrubber.Scrub(text, Secret);

    /// <inheritdoc/>
    public override string ToString() => $"error context for {ProviderName}";
}
