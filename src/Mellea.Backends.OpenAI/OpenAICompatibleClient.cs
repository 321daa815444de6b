using System.Net.Http.Headers;
using System.Text.Json;
using Mellea.Backends.Http;
using Mellea.Backends.OpenAI.Wire;

namespace Mellea.Backends.OpenAI;

/// <summary>
/// The engine of every OpenAI-compatible backend: <c>POST chat/completions</c> (whole and streamed) and <c>POST completions</c>
/// (raw batch) relative to the profile's base URL, over the shared HTTP layer. <see cref="OpenAIBackend"/> and the LiteLLM
/// backend wrap one, each with its own <see cref="OpenAICompatibleProfile"/>.
/// </summary>
/// <remarks>
/// <para>Metadata is filled the same way on streams and whole responses: response id and model, usage (cached and reasoning
/// tokens included), one normalized finish reason per choice in index order, provider, request model, server address and
/// port, and the provider's request id. A stream's last update carries it.</para>
/// <para>Safe for concurrent calls. Nothing is validated at construction: a bad base URL fails a call with an
/// <see cref="ArgumentException"/> naming the setting, a missing key with a <see cref="GenerationException"/> of category
/// <see cref="ErrorCategory.Auth"/> naming the variable, both before anything is sent.</para>
/// </remarks>
public sealed partial class OpenAICompatibleClient : IGenerationHandler
{
    /// <summary>The whole-chat body reader, one delegate for every call.</summary>
    private static readonly JsonBodyParser<ChatCompletionBody> ReadChatCompletion = OpenAIChatCompletionReader.Read;

    private readonly OpenAICompatibleProfile _profile;
    private readonly ProviderHttpTransport _transport;
    private readonly Uri? _chatUri;
    private readonly Uri? _completionsUri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>Creates a client.</summary>
    /// <param name="clientSource">Returns the <see cref="HttpClient"/> for one call (<c>() =&gt; factory.CreateClient(name)</c>, or one shared client).</param>
    /// <param name="profile">The provider's profile.</param>
    public OpenAICompatibleClient(Func<HttpClient> clientSource, OpenAICompatibleProfile profile)
    {
        ArgumentNullException.ThrowIfNull(clientSource);
        _profile = profile ?? throw new ArgumentNullException(nameof(profile));
        var errors = new ProviderErrorContext(profile.ProviderName, profile.ApiKey, profile.ApiKeySetting, profile.RequestIdHeaders);
        _transport = new ProviderHttpTransport(clientSource, errors);
        if (ProviderEndpoint.TryParseBaseUrl(profile.BaseUrl, out var baseUrl))
        {
            BaseUrl = baseUrl;
            _chatUri = ProviderEndpoint.Combine(baseUrl, "chat/completions");
            _completionsUri = ProviderEndpoint.Combine(baseUrl, "completions");
        }

        _authorization = string.IsNullOrEmpty(profile.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", profile.ApiKey);
        _headers = profile.Headers is null ? [] : [.. profile.Headers.Where(h => !string.IsNullOrWhiteSpace(h.Value))];
        Info = new GenerationHandlerInfo(profile.ProviderName, BaseUrl, profile.DefaultModel);
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info { get; }

    /// <summary>The parsed base URL, or <see langword="null"/> when the configured one cannot be parsed.</summary>
    public Uri? BaseUrl { get; }

    /// <inheritdoc/>
    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        var body = new ChatCompletionRequestBody(request, model, Stream: false, _profile.SendsTopK);
        using var message = CreateRequest(_chatUri!, JsonRequestContent.Create(body, OpenAIJsonContext.Default.ChatCompletionRequestBody));
        using var response = await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var answer = await _transport.ReadBodyAsync(response, ReadChatCompletion, cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfErrorBody(answer.Error, response);
            return answer.ToChatResponse(CreateMetadata(model, response, streamed: false));
        }
        catch (Exception ex) when (ex is not GenerationException && ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken) is not null)
        {
            throw ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, _transport.ErrorContext))!;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The request is checked when this method is called, before the stream is enumerated.</remarks>
    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        return new ChatStream(this, request, model, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        var body = OpenAIRequestMapper.ToCompletion(request, model, _profile.SendsTopK);
        using var message = CreateRequest(_completionsUri!, JsonRequestContent.Create(body, OpenAIJsonContext.Default.CompletionRequest));
        using var response = await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var wire = await _transport.ReadJsonAsync(response, OpenAIJsonContext.Default.ChatCompletionResponse, cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfErrorBody(wire.Error, response);
            return OpenAIResponseMapper.ToRawResponse(wire, CreateMetadata(model, response, streamed: false), request.Options?.ChoiceCount ?? 1);
        }
        catch (Exception ex) when (ex is not GenerationException && ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken) is not null)
        {
            throw ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, _transport.ErrorContext))!;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"OpenAI-compatible client for {Info}";

#pragma warning disable CA2208 // ParamName is the request field's path, as RequestValidator does.
    private string ResolveModel(GenerationOptions? options) =>
        options?.ModelId ?? _profile.DefaultModel
        ?? throw new ArgumentException(
            $"No model: set Options.ModelId on the request, or a default model on the {_profile.ProviderName} backend.",
            "Options.ModelId");
#pragma warning restore CA2208

    private void EnsureReady()
    {
        if (BaseUrl is null)
        {
            // Parsing again gives the exception that names the setting.
            ProviderEndpoint.ParseBaseUrl(_profile.BaseUrl, _profile.BaseUrlSetting);
        }

        if (_authorization is null && _profile.RequireApiKey)
        {
            throw new GenerationException(ErrorCategory.Auth, $"No API key for {_profile.ProviderName}: set {_profile.ApiKeySetting}.")
            {
                ProviderName = _profile.ProviderName,
                ErrorType = "missing_api_key",
            };
        }
    }

    private HttpRequestMessage CreateRequest(Uri uri, HttpContent content)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        if (_authorization is not null)
        {
            message.Headers.Authorization = _authorization;
        }

        foreach (var header in _headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return message;
    }

    private GenerationMetadata CreateMetadata(string model, HttpResponseMessage response, bool streamed)
    {
        var metadata = new GenerationMetadata
        {
            ProviderName = _profile.ProviderName,
            RequestModel = model,
            ServerAddress = Info.ServerAddress,
            ServerPort = Info.ServerPort,
            Streamed = streamed,
            ProviderRequestId = ProviderErrors.ReadRequestId(response, _transport.ErrorContext),
        };
        _profile.ReadResponseHeaders?.Invoke(response, metadata);
        return metadata;
    }

    private void ThrowIfErrorBody(JsonElement? error, HttpResponseMessage response)
    {
        if (error is { ValueKind: JsonValueKind.Object or JsonValueKind.String })
        {
            throw ProviderErrors.FromErrorDetails(ProviderErrorDetails.FromErrorValue(error.Value), _transport.ErrorContext, response);
        }
    }
}
