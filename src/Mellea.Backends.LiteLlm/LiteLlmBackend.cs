using Mellea.Backends.Http;
using Mellea.Backends.OpenAI;

namespace Mellea.Backends.LiteLlm;

/// <summary>
/// The LiteLLM proxy backend (provider <c>litellm</c>). The proxy speaks the OpenAI wire format, so this backend is the OpenAI
/// backend's engine (<see cref="OpenAICompatibleClient"/>) with LiteLLM's profile: its base URL and key variables, <c>top_k</c> passed
/// through, <c>x-litellm-call-id</c> as a request id, and its response headers read into the metadata (see <see cref="LiteLlmResponseHeaders"/>).
/// LiteLLM's error bodies (<c>code</c> as a string or int, <c>type</c> as <c>"None"</c>) are read by the shared HTTP layer.
/// </summary>
public sealed class LiteLlmBackend : IGenerationHandler
{
    /// <summary>The provider name (<c>gen_ai.provider.name</c>) and the name configuration selects it by.</summary>
    public const string ProviderName = "litellm";

    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddMelleaLiteLlm</c> registers.</summary>
    public const string HttpClientName = "Mellea.LiteLlm";

    private static readonly string[] RequestIdHeaders = ["x-request-id", "x-litellm-call-id"];

    private readonly OpenAICompatibleClient _client;

    /// <summary>Creates the backend over one <see cref="HttpClient"/> (no dependency injection).</summary>
    /// <param name="httpClient">The client; its lifetime is the caller's.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    public LiteLlmBackend(HttpClient httpClient, LiteLlmBackendOptions? options = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _client = new OpenAICompatibleClient(() => httpClient, CreateProfile(options ?? new LiteLlmBackendOptions(), environment));
    }

    /// <summary>Creates the backend over <c>IHttpClientFactory</c>.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    /// <param name="httpClientName">The named client; <see cref="HttpClientName"/> by default.</param>
    public LiteLlmBackend(IHttpClientFactory httpClientFactory, LiteLlmBackendOptions? options = null, Func<string, string?>? environment = null, string httpClientName = HttpClientName)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        _client = new OpenAICompatibleClient(() => httpClientFactory.CreateClient(httpClientName), CreateProfile(options ?? new LiteLlmBackendOptions(), environment));
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info => _client.Info;

    /// <inheritdoc/>
    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        _client.ChatAsync(request, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        _client.StreamChatAsync(request, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
        _client.CompleteRawAsync(request, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"LiteLlmBackend({Info})";

    private static OpenAICompatibleProfile CreateProfile(LiteLlmBackendOptions options, Func<string, string?>? environment)
    {
        var (baseUrl, baseUrlSetting) = options.BaseUrl is { } configured && !string.IsNullOrWhiteSpace(configured)
            ? (configured, "LiteLlmBackendOptions.BaseUrl")
            : ProviderEnvironment.Read(environment, LiteLlmBackendOptions.BaseUrlVariable) is { } fromEnvironment
                ? (fromEnvironment, LiteLlmBackendOptions.BaseUrlVariable)
                : (LiteLlmBackendOptions.DefaultBaseUrl, "LiteLlmBackendOptions.BaseUrl");
        return new OpenAICompatibleProfile
        {
            ProviderName = ProviderName,
            BaseUrl = baseUrl,
            BaseUrlSetting = baseUrlSetting,
            ApiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? ProviderEnvironment.Read(environment, LiteLlmBackendOptions.ApiKeyVariable) : options.ApiKey,
            ApiKeySetting = $"{LiteLlmBackendOptions.ApiKeyVariable} (or LiteLlmBackendOptions.ApiKey)",
            RequireApiKey = options.RequireApiKey,
            DefaultModel = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model,
            SendsTopK = true,
            RequestIdHeaders = RequestIdHeaders,
            ReadResponseHeaders = LiteLlmResponseHeaders.Read,
        };
    }
}
