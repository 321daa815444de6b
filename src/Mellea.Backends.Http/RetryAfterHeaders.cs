using System.Globalization;
using System.Net.Http.Headers;

namespace Mellea.Backends.Http;

/// <summary>Reads the delay a provider asked for: <c>retry-after-ms</c> first (OpenAI), then <c>Retry-After</c> in seconds or as an HTTP date.</summary>
public static class RetryAfterHeaders
{
    /// <summary>Returns the requested delay, or <see langword="null"/> when the response asks for none.</summary>
    /// <param name="headers">The response headers.</param>
    /// <param name="timeProvider">The clock an HTTP date is measured against; the system clock when null.</param>
    public static TimeSpan? Read(HttpResponseHeaders headers, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(msValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0 && !double.IsInfinity(ms))
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var retryAfter = headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - (timeProvider ?? TimeProvider.System).GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        // A fractional "Retry-After: 1.5" is not valid HTTP, but some proxies send it.
        if (headers.TryGetValues("retry-after", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0 && !double.IsInfinity(seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }
}
