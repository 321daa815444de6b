namespace Mellea.Backends.Http;

/// <summary>Removes a secret from text before it reaches an exception message or a log.</summary>
public static class SecretScrubber
{
    /// <summary>The text that replaces a secret.</summary>
    public const string Redacted = "[REDACTED]";

    /// <summary>Replaces every occurrence of <paramref name="secret"/> in <paramref name="text"/> with <see cref="Redacted"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="secret">The secret; nothing is replaced when it is null or empty.</param>
    public static string Scrub(string text, string? secret)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(secret) || !text.Contains(secret, StringComparison.Ordinal))
        {
            return text;
        }

        return text.Replace(secret, Redacted, StringComparison.Ordinal);
    }
}
