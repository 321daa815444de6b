using System.Globalization;
using System.Text;
using System.Text.Json;
using Mellea.Backends.Http;
using Mellea.Backends.Watsonx.Wire;

namespace Mellea.Backends.Watsonx;

/// <summary>
/// Exchanges the IBM Cloud API key for IAM bearer tokens and caches them: a token is reused until shortly before it expires, at most
/// one exchange is in flight however many calls need a token, and a token the service rejected as expired is replaced once.
/// </summary>
/// <remarks>Neither the key nor a token is ever put in a message, a log or <see cref="ToString"/>.</remarks>
internal sealed class IamTokenProvider
{
    private static readonly TimeSpan DefaultMargin = TimeSpan.FromMinutes(5);
    private static readonly Action<Task> ObserveFailure = static failed => _ = failed.Exception;

    private readonly Func<HttpClient> _clientSource;
    private readonly Uri _iamUrl;
    private readonly string _apiKey;
    private readonly string _apiKeySetting;
    private readonly TimeProvider _time;
    private readonly TimeSpan _margin;
    private readonly ProviderErrorContext _errors;
    private readonly Lock _sync = new();
    private CachedToken? _current;
    private Task<CachedToken>? _exchange;
    private int _exchangeCount;

    public IamTokenProvider(Func<HttpClient> clientSource, Uri iamUrl, string apiKey, string apiKeySetting, TimeProvider time, TimeSpan? margin)
    {
        _clientSource = clientSource;
        _iamUrl = iamUrl;
        _apiKey = apiKey;
        _apiKeySetting = apiKeySetting;
        _time = time;
        _margin = margin ?? DefaultMargin;
        _errors = new ProviderErrorContext(WatsonxBackend.ProviderName, apiKey, apiKeySetting, ["transaction-id", "x-request-id"]);
    }

    /// <summary>How many token exchanges were made (diagnostics and tests).</summary>
    public int ExchangeCount => Volatile.Read(ref _exchangeCount);

    /// <summary>The exchange started last, finished or not; null before the first (tests).</summary>
    internal Task? LastExchange
    {
        get
        {
            lock (_sync)
            {
                return _exchange;
            }
        }
    }

    /// <summary>Returns a token that is not about to expire, exchanging the key for a new one when needed.</summary>
    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => GetAsync(rejected: null, cancellationToken);

    /// <summary>
    /// Returns a token other than <paramref name="rejected"/>, which the service refused as expired. When many calls were refused with
    /// the same token at once, the first exchanges and the others take its result: one refresh, not one per call.
    /// </summary>
    public ValueTask<string> RefreshAsync(string rejected, CancellationToken cancellationToken) => GetAsync(rejected, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"IAM token provider for {_iamUrl.Host}";

    private async ValueTask<string> GetAsync(string? rejected, CancellationToken cancellationToken)
    {
        Task<CachedToken> exchange;
        lock (_sync)
        {
            if (Usable(_current, rejected) is { } cached)
            {
                return cached;
            }

            // One exchange at a time: every caller that needs a token meanwhile awaits the same one. A finished exchange (its token
            // now stale, or failed) is replaced.
            if (_exchange is null || _exchange.IsCompleted)
            {
                // Started off the lock's thread, so no part of the HTTP call runs while the lock is held.
                _exchange = Task.Run(ExchangeAndCacheAsync, CancellationToken.None);

                // Every caller may have stopped waiting (cancelled) before the exchange fails: its failure is observed here, so
                // that it never surfaces as an unobserved task exception. Callers still waiting get it from the task itself.
                _exchange.ContinueWith(ObserveFailure, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            exchange = _exchange;
        }

        // The exchange is shared, so one caller's cancellation stops its own wait, not the exchange the others wait for.
        var token = await exchange.WaitAsync(cancellationToken).ConfigureAwait(false);
        return token.AccessToken;
    }

    private async Task<CachedToken> ExchangeAndCacheAsync()
    {
        var fresh = await ExchangeAsync(CancellationToken.None).ConfigureAwait(false);
        lock (_sync)
        {
            _current = fresh;
        }

        return fresh;
    }

    private string? Usable(CachedToken? token, string? rejected) =>
        token is not null && !string.Equals(token.AccessToken, rejected, StringComparison.Ordinal) && _time.GetUtcNow() < token.RefreshAt
            ? token.AccessToken
            : null;

    private async Task<CachedToken> ExchangeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _exchangeCount);
        using var request = new HttpRequestMessage(HttpMethod.Post, _iamUrl)
        {
            Content = new FormUrlEncodedContent(
            [
                new KeyValuePair<string, string>("grant_type", "urn:ibm:params:oauth:grant-type:apikey"),
                new KeyValuePair<string, string>("apikey", _apiKey),
            ]),
        };
        request.Headers.Accept.ParseAdd("application/json");
        HttpResponseMessage response;
        try
        {
            response = await _clientSource().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, cancellationToken) is { } mapped)
        {
            throw new GenerationException(mapped.Category, $"The IAM token exchange at {_iamUrl.GetLeftPart(UriPartial.Path)} failed: {mapped.Message}", mapped.InnerException)
            {
                ErrorType = mapped.ErrorType,
                ProviderName = WatsonxBackend.ProviderName,
            };
        }

        using (response)
        {
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw ToException(response, body);
            }

            IamTokenResponse? token;
            try
            {
                token = JsonSerializer.Deserialize(body, WatsonxJsonContext.Default.IamTokenResponse);
            }
            catch (JsonException ex)
            {
                throw ProviderErrors.FromException(ex, _errors, cancellationToken)!;
            }

            if (string.IsNullOrEmpty(token?.AccessToken) || !IsBearerToken(token.AccessToken))
            {
                // A token that HTTP cannot carry (a doc sample cut with "…", a proxy's HTML) fails here, named, instead of in the next send.
                throw new GenerationException(ErrorCategory.TransportError, "The IAM token exchange answered without a usable access_token.")
                {
                    ErrorType = "malformed_response",
                    IsRetryable = false,
                    ProviderName = WatsonxBackend.ProviderName,
                };
            }

            return new CachedToken(token.AccessToken, RefreshTime(token));
        }
    }

    private DateTimeOffset RefreshTime(IamTokenResponse token)
    {
        var now = _time.GetUtcNow();

        // expires_in is measured from now on our own clock, so a skewed local clock cannot make a fresh token look stale;
        // the absolute expiration is the fallback.
        var lifetime = token.ExpiresIn is { } seconds and > 0
            ? TimeSpan.FromSeconds(seconds)
            : token.Expiration is { } expiration ? DateTimeOffset.FromUnixTimeSeconds(expiration) - now : TimeSpan.Zero;
        if (lifetime <= TimeSpan.Zero)
        {
            return now;
        }

        var margin = _margin < lifetime / 5 ? _margin : lifetime / 5;
        return now + lifetime - margin;
    }

    private GenerationException ToException(HttpResponseMessage response, byte[] body)
    {
        // IAM's errors have their own shape: {"errorCode":"BXNIM0415E","errorMessage":"…","context":{"requestId":"…"}}.
        string? code = null;
        string? message = null;
        string? requestId = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = Text(root, "errorCode");
                message = Text(root, "errorMessage");
                if (root.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object)
                {
                    requestId = Text(context, "requestId");
                }

                if (code is null && message is null && ProviderErrorDetails.FromElement(root) is { } other)
                {
                    (code, message, requestId) = (other.Code, other.Message, other.RequestId);
                }
            }
        }
        catch (JsonException)
        {
            message = null;
        }

        var status = (int)response.StatusCode;

        // A rejected key is a credential problem whatever status IAM picks for it (it answers 400 for an unknown key).
        var category = status is 400 or 401 or 403 ? ErrorCategory.Auth : ErrorClassifier.CategorizeStatus(status, code);
        var text = new StringBuilder()
            .Append("The IAM token exchange at ").Append(_iamUrl.GetLeftPart(UriPartial.Path)).Append(" returned HTTP ")
            .Append(status.ToString(CultureInfo.InvariantCulture));
        if (message is not null)
        {
            text.Append(": ").Append(_errors.Scrub(message));
        }

        if (code is not null)
        {
            text.Append(" (code=").Append(code).Append(')');
        }

        if (category == ErrorCategory.Auth)
        {
            text.Append(" Check the API key in ").Append(_apiKeySetting).Append('.');
        }

        return new GenerationException(category, text.ToString())
        {
            StatusCode = status,
            ProviderErrorCode = code,
            RetryAfter = RetryAfterHeaders.Read(response.Headers),
            ProviderRequestId = ProviderErrors.ReadRequestId(response, _errors) ?? requestId,
            ProviderName = WatsonxBackend.ProviderName,
        };
    }

    private static bool IsBearerToken(string token)
    {
        foreach (var c in token)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A token and when to stop using it. Its <see cref="ToString"/> never shows the token.</summary>
    private sealed record CachedToken(string AccessToken, DateTimeOffset RefreshAt)
    {
        public override string ToString() => $"IAM token (refresh at {RefreshAt:O})";
    }
}
