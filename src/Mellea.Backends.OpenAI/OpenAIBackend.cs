using Mellea.Backends.Http;

namespace Mellea.Backends.OpenAI;

/// <summary>
/// The OpenAI backend (provider <c>openai</c>): chat completions, whole and streamed, and raw batch completions, against
/// <c>https://api.openai.com/v1</c> or any base URL.
/// </summary>
/// <remarks>
/// <para>Without dependency injection: <c>new OpenAIBackend(httpClient, new OpenAIBackendOptions { Model = "gpt-4o-mini" })</c>, with the key
/// in <c>OPENAI_API_KEY</c>. With it: <c>services.AddMelleaOpenAI(o =&gt; o.Model = "gpt-4o-mini")</c>, which also lets configuration pick it
/// as <c>"Backend": "openai"</c>.</para>
/// <para>Construction never throws on configuration: a missing key fails the first call with a <see cref="GenerationException"/>
/// (<see cref="ErrorCategory.Auth"/>) naming <c>OPENAI_API_KEY</c>; an unparseable base URL with an <see cref="ArgumentException"/> naming
/// the setting.</para>
/// </remarks>
public sealed class OpenAIBackend : IGenerationHandler
{
    /// <summary>The provider name (<c>gen_ai.provider.name</c>) and the name configuration selects it by.</summary>
    public const string ProviderName = "openai";

    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddMelleaOpenAI</c> registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Mellea.OpenAI";

    private readonly OpenAICompatibleClient _client;

    /// <summary>Creates the backend over one <see cref="HttpClient"/> (no dependency injection).</summary>
    /// <param name="httpClient">The client; its lifetime is the caller's.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    public OpenAIBackend(HttpClient httpClient, OpenAIBackendOptions? options = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _client = new OpenAICompatibleClient(() => httpClient, CreateProfile(options ?? new OpenAIBackendOptions(), environment));
    }

    /// <summary>Creates the backend over <c>IHttpClientFactory</c>: each call takes the named client, so handlers rotate.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    /// <param name="httpClientName">The named client; <see cref="HttpClientName"/> by default.</param>
    public OpenAIBackend(IHttpClientFactory httpClientFactory, OpenAIBackendOptions? options = null, Func<string, string?>? environment = null, string httpClientName = HttpClientName)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        _client = new OpenAICompatibleClient(() => httpClientFactory.CreateClient(httpClientName), CreateProfile(options ?? new OpenAIBackendOptions(), environment));
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
    public override string ToString() => $"OpenAIBackend({Info})";

    private static OpenAICompatibleProfile CreateProfile(OpenAIBackendOptions options, Func<string, string?>? environment)
    {
        var (baseUrl, baseUrlSetting) = options.BaseUrl is { } configured && !string.IsNullOrWhiteSpace(configured)
            ? (configured, "OpenAIBackendOptions.BaseUrl")
            : ProviderEnvironment.Read(environment, OpenAIBackendOptions.BaseUrlVariable) is { } fromEnvironment
                ? (fromEnvironment, OpenAIBackendOptions.BaseUrlVariable)
                : (OpenAIBackendOptions.DefaultBaseUrl, "OpenAIBackendOptions.BaseUrl");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if ((options.Organization ?? ProviderEnvironment.Read(environment, OpenAIBackendOptions.OrganizationVariable)) is { } organization)
        {
            headers["OpenAI-Organization"] = organization;
        }

        if ((options.Project ?? ProviderEnvironment.Read(environment, OpenAIBackendOptions.ProjectVariable)) is { } project)
        {
            headers["OpenAI-Project"] = project;
        }

        return new OpenAICompatibleProfile
        {
            ProviderName = ProviderName,
            BaseUrl = baseUrl,
            BaseUrlSetting = baseUrlSetting,
            ApiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? ProviderEnvironment.Read(environment, OpenAIBackendOptions.ApiKeyVariable) : options.ApiKey,
            ApiKeySetting = $"{OpenAIBackendOptions.ApiKeyVariable} (or OpenAIBackendOptions.ApiKey)",
            RequireApiKey = true,
            DefaultModel = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model,
            Headers = headers,
        };
    }
}
