using System.Globalization;

namespace Mellea;

/// <summary>
/// Reads the delay a provider asks for, for <see cref="GenerationException.RetryAfter"/>: <c>retry-after-ms</c> (OpenAI,
/// milliseconds) first, then <c>Retry-After</c> as seconds or as an HTTP date. Backends call this when they map a throttled response.
/// </summary>
public static class RetryAfterHeader
{
    /// <summary>Parses the headers' values.</summary>
    /// <param name="retryAfterMs">The <c>retry-after-ms</c> value, if any.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> value, if any.</param>
    /// <param name="now">The current time, for an HTTP date (from the pipeline's <see cref="TimeProvider"/>).</param>
    /// <returns>The delay (zero for a date in the past), or <see langword="null"/> when neither header holds a usable value.</returns>
    public static TimeSpan? Parse(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms) && ms >= 0 && ms < TimeSpan.MaxValue.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var value = retryAfter?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            var delay = date - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }
}
