using Mellea.Backends.Http;

namespace Mellea.Backends.Ollama;

/// <summary>Reads a host the way <c>OLLAMA_HOST</c> is written: a URL, or a bare <c>host</c> / <c>host:port</c> (port 11434 by default).</summary>
internal static class OllamaHost
{
    public static bool TryParse(string? value, out Uri? baseUrl)
    {
        baseUrl = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // A bare host means Ollama's own port unless one is given: "myhost" is http://myhost:11434, as the Ollama CLI reads it.
            if (!Uri.TryCreate("http://" + text, UriKind.Absolute, out var bare))
            {
                return false;
            }

            var hasPort = text.LastIndexOf(':') > text.LastIndexOf(']');
            text = hasPort ? bare.AbsoluteUri : new UriBuilder(bare) { Port = OllamaBackendOptions.DefaultPort }.Uri.AbsoluteUri;
        }

        return ProviderEndpoint.TryParseBaseUrl(text, out baseUrl);
    }
}
