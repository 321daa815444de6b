namespace Mellea.Backends.Http;

/// <summary>Parses and combines provider base URLs.</summary>
public static class ProviderEndpoint
{
    /// <summary>
    /// Parses a base URL. It must be an absolute <c>http</c> or <c>https</c> URL; a trailing slash is added so that
    /// relative paths append to it (<c>https://api.openai.com/v1</c> + <c>chat/completions</c>).
    /// </summary>
    /// <param name="value">The configured value.</param>
    /// <param name="settingName">The setting it came from (for example <c>OPENAI_BASE_URL</c>), named in the exception.</param>
    /// <exception cref="ArgumentException">The value is not an absolute http(s) URL; <see cref="ArgumentException.ParamName"/> is <paramref name="settingName"/>.</exception>
    public static Uri ParseBaseUrl(string? value, string settingName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settingName);
        if (!TryParseBaseUrl(value, out var uri))
        {
            throw new ArgumentException(
                $"{settingName} must be an absolute http or https URL such as 'https://host:port/v1'; the configured value cannot be parsed.",
                settingName);
        }

        return uri;
    }

    /// <summary>Parses a base URL without throwing.</summary>
    /// <param name="value">The configured value.</param>
    /// <param name="baseUrl">The URL with a trailing slash.</param>
    /// <returns>Whether the value is an absolute http(s) URL.</returns>
    public static bool TryParseBaseUrl(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? baseUrl)
    {
        baseUrl = null;
        if (string.IsNullOrWhiteSpace(value)
            || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(parsed.Host))
        {
            return false;
        }

        baseUrl = parsed.AbsoluteUri.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
        return true;
    }

    /// <summary>Appends a relative path (no leading slash) to a base URL made by <see cref="ParseBaseUrl"/>.</summary>
    /// <param name="baseUrl">The base URL, ending with a slash.</param>
    /// <param name="relativePath">The path, for example <c>chat/completions</c>.</param>
    public static Uri Combine(Uri baseUrl, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        return new Uri(baseUrl, relativePath.TrimStart('/'));
    }
}
