using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mellea.Backends.Http;
using Mellea.Backends.Watsonx.Wire;

namespace Mellea.Backends.Watsonx;

/// <summary>
/// The IBM watsonx.ai backend (provider <c>ibm.watsonx.ai</c>): <c>/ml/v1/text/chat</c> and <c>/ml/v1/text/chat_stream</c> for chat, and raw
/// batches over <c>/ml/v1/text/generation</c>, one request per prompt with a bounded degree, authenticated with IAM tokens exchanged
/// for the API key.
/// </summary>
/// <remarks>
/// <para>Without dependency injection: <c>new WatsonxBackend(httpClient, new WatsonxBackendOptions { Model = "ibm/granite-3-3-8b-instruct" })</c>, with
/// <c>WATSONX_URL</c>, <c>WATSONX_API_KEY</c> and <c>WATSONX_PROJECT_ID</c> (or <c>WATSONX_SPACE_ID</c>) set. With it:
/// <c>services.AddMelleaWatsonx(…)</c>, which also lets configuration pick it as <c>"Backend": "watsonx"</c>.</para>
/// <para>Tokens are cached and refreshed before they expire, with one exchange in flight however many calls run; a call refused with 401
/// <c>authentication_token_expired</c> refreshes the token once and is retried once. Every call carries <c>?version=</c> and the
/// <c>project_id</c> or <c>space_id</c>. Neither the key nor a token ever appears in a message, a log, a span or <see cref="ToString"/>.</para>
/// <para>Metadata: usage on streams too (the final <c>choices:[]</c> chunk), response id and model, finish reasons normalized
/// (<c>time_limit</c> → length with the raw value in <see cref="WatsonxExtras.RawFinishReasons"/>; <c>stop</c> with tool calls → tool_call).
/// Errors parse the <c>errors[]</c> body and its <c>trace</c> id; IAM's own error body maps to auth.</para>
/// <para>Nothing is checked or sent at construction: a missing URL or scope fails the first call with an <see cref="ArgumentException"/>
/// naming the setting, a missing key with a <see cref="GenerationException"/> (<see cref="ErrorCategory.Auth"/>) naming <c>WATSONX_API_KEY</c>.</para>
/// </remarks>
public sealed class WatsonxBackend : IGenerationHandler
{
    /// <summary>The provider name (<c>gen_ai.provider.name</c>).</summary>
    public const string ProviderName = "ibm.watsonx.ai";

    /// <summary>The name configuration selects this backend by.</summary>
    public const string BackendName = "watsonx";

    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddMelleaWatsonx</c> registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Mellea.Watsonx";

    private const string TokenExpiredCode = "authentication_token_expired";

    private readonly ProviderHttpTransport _transport;
    private readonly IamTokenProvider? _tokens;
    private readonly string? _configuredUrl;
    private readonly string _urlSetting;
    private readonly Uri? _chatUri;
    private readonly Uri? _chatStreamUri;
    private readonly Uri? _generationUri;
    private readonly string? _iamConfigError;
    private readonly WatsonxScope _scope;
    private readonly string _apiKeySetting;
    private readonly string? _defaultModel;
    private readonly int _maxConcurrency;

    /// <summary>Creates the backend over one <see cref="HttpClient"/> (no dependency injection).</summary>
    /// <param name="httpClient">The client, used for IAM and watsonx.ai; its lifetime is the caller's.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    public WatsonxBackend(HttpClient httpClient, WatsonxBackendOptions? options = null, Func<string, string?>? environment = null)
        : this(ClientSource(httpClient), options, environment)
    {
    }

    /// <summary>Creates the backend over <c>IHttpClientFactory</c>: each call takes the named client, so handlers rotate.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    /// <param name="httpClientName">The named client; <see cref="HttpClientName"/> by default.</param>
    public WatsonxBackend(IHttpClientFactory httpClientFactory, WatsonxBackendOptions? options = null, Func<string, string?>? environment = null, string httpClientName = HttpClientName)
        : this(FactorySource(httpClientFactory, httpClientName), options, environment)
    {
    }

    private WatsonxBackend(Func<HttpClient> clientSource, WatsonxBackendOptions? options, Func<string, string?>? environment)
    {
        options ??= new WatsonxBackendOptions();
        (_configuredUrl, _urlSetting) = !string.IsNullOrWhiteSpace(options.BaseUrl)
            ? (options.BaseUrl, "WatsonxBackendOptions.BaseUrl")
            : (ProviderEnvironment.Read(environment, WatsonxBackendOptions.UrlVariable), WatsonxBackendOptions.UrlVariable);
        var version = Uri.EscapeDataString(string.IsNullOrWhiteSpace(options.ApiVersion) ? WatsonxBackendOptions.DefaultApiVersion : options.ApiVersion.Trim());
        if (ProviderEndpoint.TryParseBaseUrl(_configuredUrl, out var baseUrl))
        {
            _chatUri = new Uri(ProviderEndpoint.Combine(baseUrl, "ml/v1/text/chat").AbsoluteUri + "?version=" + version);
            _chatStreamUri = new Uri(ProviderEndpoint.Combine(baseUrl, "ml/v1/text/chat_stream").AbsoluteUri + "?version=" + version);
            _generationUri = new Uri(ProviderEndpoint.Combine(baseUrl, "ml/v1/text/generation").AbsoluteUri + "?version=" + version);
        }

        var apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? ProviderEnvironment.Read(environment, WatsonxBackendOptions.ApiKeyVariable) : options.ApiKey;
        _apiKeySetting = $"{WatsonxBackendOptions.ApiKeyVariable} (or WatsonxBackendOptions.ApiKey)";
        var (iamValue, iamSetting) = !string.IsNullOrWhiteSpace(options.IamUrl)
            ? (options.IamUrl, "WatsonxBackendOptions.IamUrl")
            : ProviderEnvironment.Read(environment, WatsonxBackendOptions.IamUrlVariable) is { } iamFromEnvironment
                ? (iamFromEnvironment, WatsonxBackendOptions.IamUrlVariable)
                : (WatsonxBackendOptions.DefaultIamUrl, "WatsonxBackendOptions.IamUrl");
        if (!Uri.TryCreate(iamValue?.Trim(), UriKind.Absolute, out var iamUrl) || (iamUrl.Scheme != Uri.UriSchemeHttp && iamUrl.Scheme != Uri.UriSchemeHttps))
        {
            _iamConfigError = iamSetting;
        }
        else if (apiKey is not null)
        {
            _tokens = new IamTokenProvider(clientSource, iamUrl, apiKey, _apiKeySetting, options.TimeProvider ?? TimeProvider.System, options.TokenRefreshMargin);
        }

        var projectId = string.IsNullOrWhiteSpace(options.ProjectId) ? ProviderEnvironment.Read(environment, WatsonxBackendOptions.ProjectIdVariable) : options.ProjectId;
        var spaceId = string.IsNullOrWhiteSpace(options.SpaceId) ? ProviderEnvironment.Read(environment, WatsonxBackendOptions.SpaceIdVariable) : options.SpaceId;
        _scope = projectId is not null ? new WatsonxScope(projectId, null) : new WatsonxScope(null, spaceId);
        _defaultModel = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model;
        _maxConcurrency = options.MaxConcurrency is { } degree and > 0 ? degree : PerPromptBatch.DefaultMaxConcurrency;
        _transport = new ProviderHttpTransport(clientSource, new ProviderErrorContext(ProviderName, apiKey, _apiKeySetting, ["x-global-transaction-id", "x-request-id"]));
        Info = new GenerationHandlerInfo(ProviderName, baseUrl, _defaultModel);
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info { get; }

    /// <summary>How many IAM token exchanges this backend has made (diagnostics).</summary>
    public int TokenExchangeCount => _tokens?.ExchangeCount ?? 0;

    /// <inheritdoc/>
    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        var body = JsonSerializer.SerializeToUtf8Bytes(WatsonxRequestMapper.ToChat(request, model, _scope), WatsonxJsonContext.Default.WatsonxChatRequest);
        using var response = await SendAuthorizedAsync(_chatUri!, body, cancellationToken).ConfigureAwait(false);
        var wire = await _transport.ReadJsonAsync(response, WatsonxJsonContext.Default.WatsonxChatResponse, cancellationToken).ConfigureAwait(false);
        try
        {
            return ToChatResponse(wire, CreateMetadata(model, response, streamed: false));
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken) is not null)
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
        return StreamAsync(request, model, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One <c>/ml/v1/text/generation</c> request per prompt, at most <see cref="WatsonxBackendOptions.MaxConcurrency"/> at a time; the batch is one
    /// operation whose usage sums <c>input_token_count</c> and <c>generated_token_count</c>, and the first failing prompt fails it and cancels the rest.
    /// </remarks>
    public async ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        var prompts = request.Prompts;
        var options = request.Options;
        var results = await PerPromptBatch.RunAsync(
            prompts.Count,
            _maxConcurrency,
            (index, token) => GenerateAsync(prompts[index], options, model, token),
            cancellationToken).ConfigureAwait(false);

        var completions = new RawCompletion[results.Length];
        var finishes = new List<FinishReason>(results.Length);
        var metadata = new GenerationMetadata
        {
            ProviderName = ProviderName,
            RequestModel = model,
            ServerAddress = Info.ServerAddress,
            ServerPort = Info.ServerPort,
        };
        UsageDetails? usage = null;
        for (var i = 0; i < results.Length; i++)
        {
            var (reader, requestId) = results[i];
            var promptUsage = reader.ToUsage();
            completions[i] = new RawCompletion(i, reader.Text, reader.Finish, promptUsage);
            if (reader.Finish is { } finish)
            {
                finishes.Add(finish);
            }

            if (promptUsage is not null)
            {
                (usage ??= new UsageDetails()).Add(promptUsage);
            }

            metadata.ResponseModel ??= reader.Model;
            metadata.ProviderRequestId ??= requestId;
        }

        metadata.Usage = usage;
        metadata.FinishReasons = finishes;
        WatsonxMetadata.AddRawFinishReasons(metadata);
        return new RawCompletionResponse(completions, metadata);
    }

    /// <inheritdoc/>
    public override string ToString() => $"WatsonxBackend({Info})";

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

    private static ChatResponse ToChatResponse(WatsonxChatResponse wire, GenerationMetadata metadata)
    {
        var wireChoices = wire.Choices is { Count: > 0 } list ? list : throw new JsonException("The response has no choices.");
        if (wireChoices.Exists(c => c is null))
        {
            throw new JsonException("The response has a null choice.");
        }

        wireChoices.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        var choices = new List<ChatChoice>(wireChoices.Count);
        var finishes = new List<FinishReason>(wireChoices.Count);
        foreach (var wireChoice in wireChoices)
        {
            var message = wireChoice.Message;
            var parts = new List<MessagePart>(1);
            if (!string.IsNullOrEmpty(message?.Content))
            {
                parts.Add(new TextPart(message.Content));
            }

            if (message?.ToolCalls is { } calls)
            {
                foreach (var call in calls)
                {
                    parts.Add(new ToolCallPart(call.Id ?? string.Empty, call.Function?.Name ?? string.Empty, ArgumentsText(call.Function?.Arguments)));
                }
            }

            if (parts.Count == 0)
            {
                parts.Add(new TextPart(message?.Content ?? string.Empty));
            }

            // watsonx says "stop" on tool-call turns (its own spec example does): the tool calls decide.
            var finish = WatsonxMetadata.Normalize(wireChoice.FinishReason, parts.Exists(p => p is ToolCallPart));
            if (finish is { } f)
            {
                finishes.Add(f);
            }

            choices.Add(new ChatChoice(wireChoice.Index, new ChatMessage(ChatRole.Assistant, parts), finish, message?.ReasoningContent));
        }

        metadata.ResponseId = string.IsNullOrEmpty(wire.Id) ? null : wire.Id;
        metadata.ResponseModel = string.IsNullOrEmpty(wire.ModelId) ? (string.IsNullOrEmpty(wire.Model) ? null : wire.Model) : wire.ModelId;
        metadata.Usage = wire.Usage is { } usage
            ? new UsageDetails { InputTokens = usage.PromptTokens, OutputTokens = usage.CompletionTokens, TotalTokens = usage.TotalTokens }.WithComputedTotal()
            : null;
        metadata.FinishReasons = finishes;
        WatsonxMetadata.AddRawFinishReasons(metadata);
        return new ChatResponse(choices, metadata);
    }

    private static string ArgumentsText(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.String => value.Value.GetString() ?? string.Empty,
        JsonValueKind.Null or JsonValueKind.Undefined or null => string.Empty,
        _ => value.Value.GetRawText(),
    };

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ChatRequest request, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(WatsonxRequestMapper.ToChat(request, model, _scope), WatsonxJsonContext.Default.WatsonxChatRequest);
        using var response = await SendAuthorizedAsync(_chatStreamUri!, body, cancellationToken).ConfigureAwait(false);
        var parser = new WatsonxChatStreamParser(_transport.ErrorContext, response);

        // Pulled, not enumerated: an event the SSE parser already buffered reaches this loop with no async layer in between.
        var events = await _transport.OpenServerSentEventsAsync(response, parser.ItemParser, cancellationToken).ConfigureAwait(false);
        await using (events.ConfigureAwait(false))
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                if (events.Current is { } update)
                {
                    yield return update;
                }

                while (parser.TryDequeuePending(out var extra))
                {
                    yield return extra;
                }
            }
        }

        // chat_stream has no [DONE]: the end of the body is the end of the answer.
        yield return new ChatResponseUpdate { Metadata = parser.Complete(CreateMetadata(model, response, streamed: true)) };
    }

    private async Task<(WatsonxGenerationReader Reader, string? RequestId)> GenerateAsync(string prompt, GenerationOptions? options, string model, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(WatsonxRequestMapper.ToGeneration(prompt, options, model, _scope), WatsonxJsonContext.Default.WatsonxGenerationRequest);
        using var response = await SendAuthorizedAsync(_generationUri!, body, cancellationToken).ConfigureAwait(false);
        var reader = new WatsonxGenerationReader(_transport.ErrorContext, response);
        var requestId = ProviderErrors.ReadRequestId(response, _transport.ErrorContext);
        if (response.Content.Headers.ContentType?.MediaType is "text/event-stream")
        {
            // generation_stream framing (a proxy that streams anyway) gives the same text, finish reason and counts.
            await foreach (var unused in _transport.ReadServerSentEventsAsync(response, reader.EventParser, cancellationToken).ConfigureAwait(false))
            {
                _ = unused;
            }

            reader.EnsureStreamEnded(requestId);
        }
        else
        {
            var root = await _transport.ReadJsonAsync(response, WatsonxJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            try
            {
                reader.ReadBody(JsonSerializer.SerializeToUtf8Bytes(root, WatsonxJsonContext.Default.JsonElement));
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken) is not null)
            {
                throw ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken, requestId)!;
            }
        }

        return (reader, requestId);
    }

    /// <summary>
    /// Sends with a bearer token. A 401 <c>authentication_token_expired</c> (the token died between the check and the call, or IAM revoked it)
    /// refreshes the token once and retries once; a second refusal is the caller's auth error.
    /// </summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(Uri uri, byte[] body, CancellationToken cancellationToken)
    {
        var token = await _tokens!.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var first = CreateRequest(uri, body, token);
            return await _transport.SendAsync(first, cancellationToken).ConfigureAwait(false);
        }
        catch (GenerationException ex) when (ex.StatusCode == 401 && ex.ProviderErrorCode == TokenExpiredCode)
        {
            var fresh = await _tokens.RefreshAsync(token, cancellationToken).ConfigureAwait(false);
            using var retry = CreateRequest(uri, body, fresh);
            return await _transport.SendAsync(retry, cancellationToken).ConfigureAwait(false);
        }
    }

    private static HttpRequestMessage CreateRequest(Uri uri, byte[] body, string token)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.Accept.ParseAdd("application/json");
        return message;
    }

#pragma warning disable CA2208 // ParamName is the request field's path, as RequestValidator does.
    private string ResolveModel(GenerationOptions? options) =>
        options?.ModelId ?? _defaultModel
        ?? throw new ArgumentException("No model: set Options.ModelId on the request, or WatsonxBackendOptions.Model on the watsonx backend.", "Options.ModelId");
#pragma warning restore CA2208

    private void EnsureReady()
    {
        if (_chatUri is null)
        {
            ProviderEndpoint.ParseBaseUrl(_configuredUrl, _urlSetting);
        }

        if (_iamConfigError is { } iamSetting)
        {
            throw new ArgumentException($"{iamSetting} must be an absolute http or https URL such as '{WatsonxBackendOptions.DefaultIamUrl}'.", iamSetting);
        }

        if (_scope.ProjectId is null && _scope.SpaceId is null)
        {
            throw new ArgumentException(
                $"No watsonx.ai project or space: set {WatsonxBackendOptions.ProjectIdVariable} or {WatsonxBackendOptions.SpaceIdVariable} (or WatsonxBackendOptions.ProjectId / SpaceId).",
                WatsonxBackendOptions.ProjectIdVariable);
        }

        if (_tokens is null)
        {
            throw new GenerationException(ErrorCategory.Auth, $"No API key for {ProviderName}: set {_apiKeySetting}.")
            {
                ProviderName = ProviderName,
                ErrorType = "missing_api_key",
            };
        }
    }

    private GenerationMetadata CreateMetadata(string model, HttpResponseMessage response, bool streamed) => new()
    {
        ProviderName = ProviderName,
        RequestModel = model,
        ServerAddress = Info.ServerAddress,
        ServerPort = Info.ServerPort,
        Streamed = streamed,
        ProviderRequestId = ProviderErrors.ReadRequestId(response, _transport.ErrorContext),
    };
}
