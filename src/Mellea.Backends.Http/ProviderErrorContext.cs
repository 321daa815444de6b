namespace Mellea.Backends.Http;

/// <summary>
/// What the HTTP layer needs to turn a failure into a <see cref="GenerationException"/> for one backend: the provider's name,
/// the secret to scrub from any text the provider echoes back, the variable that holds the credential (named in auth errors),
/// and the response headers that carry the provider's request id. Build one per backend instance; it is immutable.
/// </summary>
public sealed class ProviderErrorContext
{
    private static readonly string[] DefaultRequestIdHeaders = ["x-request-id"];
    private string[] _secrets;

    /// <summary>Creates a context.</summary>
    /// <param name="providerName">The OTel <c>gen_ai.provider.name</c> value.</param>
    /// <param name="secret">The API key or token in use, scrubbed from every message; <see langword="null"/> when there is none.</param>
    /// <param name="credentialSetting">Where the credential comes from (for example <c>OPENAI_API_KEY</c>), named in auth errors.</param>
    /// <param name="requestIdHeaders">Response headers that carry the provider's request id, first match wins. Defaults to <c>x-request-id</c>.</param>
    public ProviderErrorContext(string providerName, string? secret = null, string? credentialSetting = null, IReadOnlyList<string>? requestIdHeaders = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ProviderName = providerName;
        _secrets = string.IsNullOrEmpty(secret) ? [] : [secret];
        CredentialSetting = credentialSetting;
        RequestIdHeaders = requestIdHeaders is { Count: > 0 } ? requestIdHeaders : DefaultRequestIdHeaders;
    }

    /// <summary>The OTel <c>gen_ai.provider.name</c> value.</summary>
    public string ProviderName { get; }

    /// <summary>Whether any secret is registered.</summary>
    internal bool HasSecrets => Volatile.Read(ref _secrets).Length > 0;

    /// <summary>Where the credential comes from, for auth error messages.</summary>
    public string? CredentialSetting { get; }

    /// <summary>Response headers that carry the provider's request id.</summary>
    public IReadOnlyList<string> RequestIdHeaders { get; }

    /// <summary>Replaces every occurrence of the secret in <paramref name="text"/>.</summary>
    /// <param name="text">Text that came from the provider or from an exception.</param>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            text = SecretScrubber.Scrub(text, secret);
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> contains a registered secret.</summary>
    /// <param name="text">The text.</param>
    public bool ContainsSecret(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in Volatile.Read(ref _secrets))
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Registers another secret to scrub, for credentials obtained after construction (watsonx's IAM bearer token, refreshed hourly).
    /// Thread-safe; secrets are never removed, so a rotated token stays scrubbed.
    /// </summary>
    /// <param name="secret">The secret; ignored when null or empty.</param>
    public void AddSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        while (true)
        {
            var current = Volatile.Read(ref _secrets);
            if (Array.IndexOf(current, secret) >= 0)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _secrets, [.. current, secret], current) == current)
            {
                return;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"error context for {ProviderName}";
}
