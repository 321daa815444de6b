using System.Net.Http.Headers;
using Mellea.Backends.HuggingFace.Wire;
using Mellea.Backends.Http;
using Mellea.Backends.OpenAI;

namespace Mellea.Backends.HuggingFace;

/// <summary>
/// The Hugging Face backend (provider <c>huggingface</c>) for Hugging Face's serving stack: text-generation-inference (TGI), Inference
/// Endpoints, and the Inference Providers router. Chat goes over the OpenAI-compatible Messages API (<c>/v1/chat/completions</c>) with the
/// OpenAI backend's wire code; raw batches over TGI's native <c>/generate</c> with <c>details=true</c>, one request per prompt.
/// </summary>
/// <remarks>
/// <para>Without dependency injection: <c>new HuggingFaceBackend(httpClient, new HuggingFaceBackendOptions { Model = "meta-llama/Llama-3.1-8B-Instruct" })</c>,
/// with the token in <c>HF_TOKEN</c> and the server in <c>HF_BASE_URL</c> (default the router). With it: <c>services.AddMelleaHuggingFace(…)</c>,
/// which also lets configuration pick it as <c>"Backend": "huggingface"</c>.</para>
/// <para>TGI's differences from OpenAI are handled: tool-call arguments as a string or an object, integer tool-call ids, <c>"stop"</c> (or the
/// old <c>"eos_token"</c>) on tool-call turns reported as tool_call, an empty <c>id</c> reported as none, streams with or without <c>[DONE]</c>.
/// On <c>/generate</c>, <c>eos_token</c> and <c>stop_sequence</c> are stop and <c>length</c> is length; usage comes from
/// <c>details.generated_tokens</c> and the <c>x-prompt-tokens</c> header (or <c>details.input_length</c>).</para>
/// <para>Nothing is checked at construction. A local TGI needs no token; the router answers 401 without one, reported as auth naming <c>HF_TOKEN</c>.</para>
/// </remarks>
public sealed class HuggingFaceBackend : IGenerationHandler
{
    /// <summary>The provider name (<c>gen_ai.provider.name</c>).</summary>
    public const string ProviderName = "huggingface";

    /// <summary>The name configuration selects this backend by.</summary>
    public const string BackendName = "huggingface";

    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddMelleaHuggingFace</c> registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Mellea.HuggingFace";

    private const string RouterHost = "router.huggingface.co";

    private readonly OpenAICompatibleClient _messagesApi;
    private readonly ProviderHttpTransport _native;
    private readonly Uri? _generateUri;
    private readonly string? _configuredBaseUrl;
    private readonly string _baseUrlSetting;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string? _defaultModel;
    private readonly int _maxConcurrency;
    private readonly bool _useCompletions;
    private readonly bool _tgiResponseFormat;

    /// <summary>Creates the backend over one <see cref="HttpClient"/> (no dependency injection).</summary>
    /// <param name="httpClient">The client; its lifetime is the caller's.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    public HuggingFaceBackend(HttpClient httpClient, HuggingFaceBackendOptions? options = null, Func<string, string?>? environment = null)
        : this(ClientSource(httpClient), options, environment)
    {
    }

    /// <summary>Creates the backend over <c>IHttpClientFactory</c>: each call takes the named client, so handlers rotate.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    /// <param name="httpClientName">The named client; <see cref="HttpClientName"/> by default.</param>
    public HuggingFaceBackend(IHttpClientFactory httpClientFactory, HuggingFaceBackendOptions? options = null, Func<string, string?>? environment = null, string httpClientName = HttpClientName)
        : this(FactorySource(httpClientFactory, httpClientName), options, environment)
    {
    }

    private HuggingFaceBackend(Func<HttpClient> clientSource, HuggingFaceBackendOptions? options, Func<string, string?>? environment)
    {
        options ??= new HuggingFaceBackendOptions();
        if (!string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            (_configuredBaseUrl, _baseUrlSetting) = (options.BaseUrl, "HuggingFaceBackendOptions.BaseUrl");
        }
        else if (ProviderEnvironment.Read(environment, HuggingFaceBackendOptions.BaseUrlVariable) is { } fromEnvironment)
        {
            (_configuredBaseUrl, _baseUrlSetting) = (fromEnvironment, HuggingFaceBackendOptions.BaseUrlVariable);
        }
        else
        {
            (_configuredBaseUrl, _baseUrlSetting) = (HuggingFaceBackendOptions.DefaultBaseUrl, "HuggingFaceBackendOptions.BaseUrl");
        }

        var token = string.IsNullOrWhiteSpace(options.ApiKey) ? ProviderEnvironment.Read(environment, HuggingFaceBackendOptions.TokenVariable) : options.ApiKey;
        var tokenSetting = $"{HuggingFaceBackendOptions.TokenVariable} (or HuggingFaceBackendOptions.ApiKey)";
        _authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        _defaultModel = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model;
        _maxConcurrency = options.MaxConcurrency is { } degree and > 0 ? degree : PerPromptBatch.DefaultMaxConcurrency;
        _useCompletions = options.UseCompletionsForRawBatch;

        // The Messages API lives under /v1 and TGI's native routes at the server root, so one setting serves both, with or without /v1.
        string? messagesBase = _configuredBaseUrl;
        var isRouter = false;
        if (ProviderEndpoint.TryParseBaseUrl(_configuredBaseUrl, out var parsed))
        {
            var path = parsed.AbsolutePath;
            var root = path.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase) ? new Uri(parsed, "..") : parsed;
            messagesBase = path.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase) ? parsed.AbsoluteUri : new Uri(parsed, "v1/").AbsoluteUri;
            _generateUri = ProviderEndpoint.Combine(root, "generate");
            isRouter = parsed.Host.Equals(RouterHost, StringComparison.OrdinalIgnoreCase);
        }

        _tgiResponseFormat = options.UseTgiResponseFormat ?? !isRouter;
        _messagesApi = new OpenAICompatibleClient(clientSource, new OpenAICompatibleProfile
        {
            ProviderName = ProviderName,
            BaseUrl = messagesBase,
            BaseUrlSetting = _baseUrlSetting,
            ApiKey = token,
            ApiKeySetting = tokenSetting,
            RequireApiKey = false,
            DefaultModel = _defaultModel,
            SendsTopK = false,
        });
        _native = new ProviderHttpTransport(clientSource, new ProviderErrorContext(ProviderName, token, tokenSetting));
        Info = _messagesApi.Info;
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info { get; }

    /// <summary>The native <c>/generate</c> route raw batches use, or <see langword="null"/> when the base URL cannot be parsed.</summary>
    public Uri? GenerateUrl => _generateUri;

    /// <inheritdoc/>
    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Validate the caller's request, not the adapted one: a bad MaxOutputTokens must still be named as such.
        request.Validate();
        return _messagesApi.ChatAsync(HuggingFaceRequestMapper.ForMessagesApi(request, _tgiResponseFormat), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>The request is checked when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return _messagesApi.StreamChatAsync(HuggingFaceRequestMapper.ForMessagesApi(request, _tgiResponseFormat), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One TGI <c>/generate</c> request per prompt (<c>details=true</c>, <c>return_full_text=false</c>), at most
    /// <see cref="HuggingFaceBackendOptions.MaxConcurrency"/> at a time; the batch is one operation whose usage is the sum over the prompts,
    /// and the first failing prompt fails it and cancels the rest. With <see cref="HuggingFaceBackendOptions.UseCompletionsForRawBatch"/>, one
    /// <c>/v1/completions</c> call instead.
    /// </remarks>
    public async ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        if (_useCompletions)
        {
            return await _messagesApi.CompleteRawAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var model = ResolveModel(request.Options);
        EnsureReady();
        var prompts = request.Prompts;
        var options = request.Options;
        var results = await PerPromptBatch.RunAsync(
            prompts.Count,
            _maxConcurrency,
            (index, token) => GenerateAsync(prompts[index], options, token),
            cancellationToken).ConfigureAwait(false);

        var completions = new RawCompletion[results.Length];
        var finishes = new List<FinishReason>(results.Length);
        UsageDetails? usage = null;
        string? requestId = null;
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i];
            completions[i] = new RawCompletion(i, result.Text, result.Finish, result.Usage);
            if (result.Finish is { } finish)
            {
                finishes.Add(finish);
            }

            if (result.Usage is { } promptUsage)
            {
                (usage ??= new UsageDetails()).Add(promptUsage);
            }

            requestId ??= result.RequestId;
        }

        var metadata = new GenerationMetadata
        {
            ProviderName = ProviderName,
            RequestModel = model,
            ServerAddress = Info.ServerAddress,
            ServerPort = Info.ServerPort,
            FinishReasons = finishes,
            Usage = usage,
            ProviderRequestId = requestId,
        };
        return new RawCompletionResponse(completions, metadata);
    }

    /// <inheritdoc/>
    public override string ToString() => $"HuggingFaceBackend({Info})";

    private static Func<HttpClient> ClientSource(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }

    private static Func<HttpClient> FactorySource(IHttpClientFactory httpClientFactory, string httpClientName)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        return () => httpClientFactory.CreateClient(httpClientName);
    }

    private async Task<PromptResult> GenerateAsync(string prompt, GenerationOptions? options, CancellationToken cancellationToken)
    {
        var body = HuggingFaceRequestMapper.ToGenerate(prompt, options);
        using var message = new HttpRequestMessage(HttpMethod.Post, _generateUri)
        {
            Content = JsonRequestContent.Create(body, HuggingFaceJsonContext.Default.TgiGenerateRequest),
        };
        if (_authorization is not null)
        {
            message.Headers.Authorization = _authorization;
        }

        using var response = await _native.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var reader = new TgiGenerationReader(_native.ErrorContext, response);
        var requestId = ProviderErrors.ReadRequestId(response, _native.ErrorContext);
        if (response.Content.Headers.ContentType?.MediaType is "text/event-stream")
        {
            // A server (or a proxy) that streams anyway is read event by event: the same text, finish reason and counts.
            await foreach (var unused in _native.ReadServerSentEventsAsync(response, reader.EventParser, cancellationToken).ConfigureAwait(false))
            {
                _ = unused;
            }
        }
        else
        {
            var root = await _native.ReadJsonAsync(response, HuggingFaceJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            try
            {
                reader.ReadBody(root);
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _native.ErrorContext, cancellationToken) is not null)
            {
                throw ProviderErrors.FromException(ex, _native.ErrorContext, cancellationToken, requestId)!;
            }
        }

        if (!reader.Completed)
        {
            throw new GenerationException(ErrorCategory.TransportError, "TGI's stream ended before its final event (with details) arrived.")
            {
                ErrorType = "transport_error",
                ProviderName = ProviderName,
                ProviderRequestId = requestId,
            };
        }

        return new PromptResult(reader.Text, reader.Finish, reader.ToUsage(), requestId);
    }

#pragma warning disable CA2208 // ParamName is the request field's path, as RequestValidator does.
    private string ResolveModel(GenerationOptions? options) =>
        options?.ModelId ?? _defaultModel
        ?? throw new ArgumentException("No model: set Options.ModelId on the request, or HuggingFaceBackendOptions.Model on the huggingface backend.", "Options.ModelId");
#pragma warning restore CA2208

    private void EnsureReady()
    {
        if (_generateUri is null)
        {
            ProviderEndpoint.ParseBaseUrl(_configuredBaseUrl, _baseUrlSetting);
        }
    }

    private sealed record PromptResult(string Text, FinishReason? Finish, UsageDetails? Usage, string? RequestId);
}
