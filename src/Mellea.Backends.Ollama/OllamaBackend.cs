using System.Net.Http.Headers;
using System.Text;
using Mellea.Backends.Http;
using Mellea.Backends.Ollama.Wire;

namespace Mellea.Backends.Ollama;

/// <summary>
/// The Ollama backend (provider <c>ollama</c>) on Ollama's native API: <c>/api/chat</c>, whole and streamed as NDJSON, and raw
/// batches over <c>/api/generate</c> with <c>raw=true</c>, one request per prompt with a bounded degree.
/// </summary>
/// <remarks>
/// <para>Without dependency injection: <c>new OllamaBackend(httpClient, new OllamaBackendOptions { Model = "granite3.3:8b" })</c>, with the host
/// in <c>OLLAMA_HOST</c> (default <c>http://localhost:11434</c>). With it: <c>services.AddMelleaOllama(o =&gt; o.Model = "granite3.3:8b")</c>,
/// which also lets configuration pick it as <c>"Backend": "ollama"</c>.</para>
/// <para>Nothing throws at construction and nothing is sent then: a server that is down fails the first call with a
/// <see cref="GenerationException"/> (<see cref="ErrorCategory.TransportError"/>) that names the URL and how to start Ollama;
/// an unparseable host fails it with an <see cref="ArgumentException"/> naming the setting.</para>
/// <para>Metadata: usage from <c>prompt_eval_count</c>/<c>eval_count</c>, the response model, no response id (Ollama has none),
/// <c>done_reason</c> normalized (tool_call when tool calls came), and the durations in nanoseconds in
/// <see cref="GenerationMetadata.ProviderExtras"/> (<see cref="OllamaExtras"/>).</para>
/// </remarks>
public sealed partial class OllamaBackend : IGenerationHandler
{
    /// <summary>The provider name (<c>gen_ai.provider.name</c>) and the name configuration selects it by.</summary>
    public const string ProviderName = "ollama";

    /// <summary>The name of the <see cref="HttpClient"/> that <c>AddMelleaOllama</c> registers with <c>IHttpClientFactory</c>.</summary>
    public const string HttpClientName = "Mellea.Ollama";

    private readonly ProviderHttpTransport _transport;
    private readonly string? _configuredHost;
    private readonly string _hostSetting;
    private readonly Uri? _baseUrl;
    private readonly Uri? _chatUri;
    private readonly Uri? _generateUri;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly string? _defaultModel;
    private readonly int _maxConcurrency;

    /// <summary>Creates the backend over one <see cref="HttpClient"/> (no dependency injection).</summary>
    /// <param name="httpClient">The client; its lifetime is the caller's.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    public OllamaBackend(HttpClient httpClient, OllamaBackendOptions? options = null, Func<string, string?>? environment = null)
        : this(ClientSource(httpClient), options, environment)
    {
    }

    /// <summary>Creates the backend over <c>IHttpClientFactory</c>: each call takes the named client, so handlers rotate.</summary>
    /// <param name="httpClientFactory">The factory.</param>
    /// <param name="options">The settings; unset ones come from the environment.</param>
    /// <param name="environment">Reads environment variables; <see langword="null"/> reads the process environment.</param>
    /// <param name="httpClientName">The named client; <see cref="HttpClientName"/> by default.</param>
    public OllamaBackend(IHttpClientFactory httpClientFactory, OllamaBackendOptions? options = null, Func<string, string?>? environment = null, string httpClientName = HttpClientName)
        : this(FactorySource(httpClientFactory, httpClientName), options, environment)
    {
    }

    private OllamaBackend(Func<HttpClient> clientSource, OllamaBackendOptions? options, Func<string, string?>? environment)
    {
        options ??= new OllamaBackendOptions();
        if (!string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            (_configuredHost, _hostSetting) = (options.BaseUrl, "OllamaBackendOptions.BaseUrl");
        }
        else if (ProviderEnvironment.Read(environment, OllamaBackendOptions.HostVariable) is { } fromEnvironment)
        {
            (_configuredHost, _hostSetting) = (fromEnvironment, OllamaBackendOptions.HostVariable);
        }
        else
        {
            (_configuredHost, _hostSetting) = (OllamaBackendOptions.DefaultBaseUrl, "OllamaBackendOptions.BaseUrl");
        }

        if (OllamaHost.TryParse(_configuredHost, out var baseUrl))
        {
            _baseUrl = baseUrl;
            _chatUri = ProviderEndpoint.Combine(baseUrl!, "api/chat");
            _generateUri = ProviderEndpoint.Combine(baseUrl!, "api/generate");
        }

        var apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? ProviderEnvironment.Read(environment, OllamaBackendOptions.ApiKeyVariable) : options.ApiKey;
        _authorization = apiKey is null ? null : new AuthenticationHeaderValue("Bearer", apiKey);
        _defaultModel = string.IsNullOrWhiteSpace(options.Model) ? null : options.Model;
        _maxConcurrency = options.MaxConcurrency is { } degree and > 0 ? degree : PerPromptBatch.DefaultMaxConcurrency;
        var errors = new ProviderErrorContext(ProviderName, apiKey, apiKey is null ? null : $"{OllamaBackendOptions.ApiKeyVariable} (or OllamaBackendOptions.ApiKey)");
        _transport = new ProviderHttpTransport(clientSource, errors);
        Info = new GenerationHandlerInfo(ProviderName, _baseUrl, _defaultModel);
    }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info { get; }

    /// <summary>The parsed server URL, or <see langword="null"/> when the configured host cannot be parsed.</summary>
    public Uri? BaseUrl => _baseUrl;

    /// <inheritdoc/>
    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var model = ResolveModel(request.Options);
        EnsureReady();
        var body = OllamaRequestMapper.ToChat(request, model, stream: false);
        using var message = CreateRequest(_chatUri!, JsonRequestContent.Create(body, OllamaJsonContext.Default.OllamaChatRequest));
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var reader = new OllamaChunkReader(_transport.ErrorContext, response);
        var answer = new AnswerBuilder();
        await ReadAnswerAsync(response, reader, answer, cancellationToken).ConfigureAwait(false);
        var metadata = reader.Complete(CreateMetadata(model, response, streamed: false));
        return new ChatResponse([answer.ToChoice(reader.Finish)], metadata);
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
    /// <remarks>
    /// One <c>/api/generate</c> request per prompt, at most <see cref="OllamaBackendOptions.MaxConcurrency"/> at a time. The batch is one
    /// operation: its metadata sums the usage and durations, and the first failing prompt fails it and cancels the rest.
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
        Dictionary<string, object?>? extras = null;
        for (var i = 0; i < results.Length; i++)
        {
            var (text, reader) = results[i];
            var promptUsage = reader.ToUsage();
            completions[i] = new RawCompletion(i, text, reader.Finish, promptUsage);
            if (reader.Finish is { } finish)
            {
                finishes.Add(finish);
            }

            if (promptUsage is not null)
            {
                (usage ??= new UsageDetails()).Add(promptUsage);
            }

            metadata.ResponseModel ??= reader.Model;
            extras = SumDurations(extras, reader);
        }

        metadata.Usage = usage;
        metadata.FinishReasons = finishes;
        metadata.ProviderExtras = extras;
        return new RawCompletionResponse(completions, metadata);
    }

    /// <inheritdoc/>
    public override string ToString() => $"OllamaBackend({Info})";

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

    private static Dictionary<string, object?>? SumDurations(Dictionary<string, object?>? sums, OllamaChunkReader reader)
    {
        void Add(string key, long? value)
        {
            if (value is { } v)
            {
                sums ??= new Dictionary<string, object?>(StringComparer.Ordinal);
                sums[key] = (sums.TryGetValue(key, out var current) && current is long total ? total : 0L) + v;
            }
        }

        Add(OllamaExtras.TotalDurationNs, reader.TotalDuration);
        Add(OllamaExtras.LoadDurationNs, reader.LoadDuration);
        Add(OllamaExtras.PromptEvalDurationNs, reader.PromptEvalDuration);
        Add(OllamaExtras.EvalDurationNs, reader.EvalDuration);
        return sums;
    }

    private async Task<(string Text, OllamaChunkReader Reader)> GenerateAsync(string prompt, GenerationOptions? options, string model, CancellationToken cancellationToken)
    {
        var body = OllamaRequestMapper.ToGenerate(prompt, options, model);
        using var message = CreateRequest(_generateUri!, JsonRequestContent.Create(body, OllamaJsonContext.Default.OllamaGenerateRequest));
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        var reader = new OllamaChunkReader(_transport.ErrorContext, response);
        var answer = new AnswerBuilder();
        await ReadAnswerAsync(response, reader, answer, cancellationToken).ConfigureAwait(false);
        return (answer.Text, reader);
    }

    /// <summary>
    /// Reads a non-streamed answer. Ollama answers <c>"stream": false</c> with one JSON object; a server (or proxy) that streams NDJSON
    /// anyway is read line by line, so either framing gives the same answer.
    /// </summary>
    private async Task ReadAnswerAsync(HttpResponseMessage response, OllamaChunkReader reader, AnswerBuilder answer, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is "application/x-ndjson")
        {
            await foreach (var line in _transport.ReadJsonLinesAsync(response, reader.LineParser, cancellationToken).ConfigureAwait(false))
            {
                answer.Add(line.Update);
            }
        }
        else
        {
            var element = await _transport.ReadJsonAsync(response, OllamaJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
            try
            {
                answer.Add(reader.Parse(Encoding.UTF8.GetBytes(element.GetRawText())));
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken) is not null)
            {
                throw ProviderErrors.FromException(ex, _transport.ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, _transport.ErrorContext))!;
            }
        }

        EnsureDone(reader, response);
    }

    private void EnsureDone(OllamaChunkReader reader, HttpResponseMessage response)
    {
        if (!reader.Done)
        {
            // Ollama always ends with a "done": true object; an answer without it was cut short.
            throw new GenerationException(ErrorCategory.TransportError, "Ollama's answer ended before its final (\"done\": true) object arrived.")
            {
                ErrorType = "transport_error",
                ProviderName = ProviderName,
                ProviderRequestId = ProviderErrors.ReadRequestId(response, _transport.ErrorContext),
            };
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await _transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (GenerationException ex) when (IsConnectFailure(ex))
        {
            throw new GenerationException(
                ErrorCategory.TransportError,
                $"Could not connect to Ollama at {_baseUrl} (from {_hostSetting}). Is the server running? Start it with 'ollama serve' (or open the Ollama app), "
                + $"or set {OllamaBackendOptions.HostVariable} to the address it listens on.",
                ex)
            {
                ErrorType = "transport_error",
                ProviderName = ProviderName,
            };
        }
    }

    private static bool IsConnectFailure(GenerationException exception)
    {
        if (exception.Category != ErrorCategory.TransportError || exception.StatusCode is not null)
        {
            return false;
        }

        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                || inner is System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }

#pragma warning disable CA2208 // ParamName is the request field's path, as RequestValidator does.
    private string ResolveModel(GenerationOptions? options) =>
        options?.ModelId ?? _defaultModel
        ?? throw new ArgumentException("No model: set Options.ModelId on the request, or OllamaBackendOptions.Model on the ollama backend.", "Options.ModelId");
#pragma warning restore CA2208

    private void EnsureReady()
    {
        if (_baseUrl is null)
        {
            throw new ArgumentException(
                $"{_hostSetting} must be an http(s) URL or a host[:port] such as 'http://localhost:11434'; the configured value cannot be parsed.",
                _hostSetting);
        }
    }

    private HttpRequestMessage CreateRequest(Uri uri, HttpContent content)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        if (_authorization is not null)
        {
            message.Headers.Authorization = _authorization;
        }

        return message;
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

    /// <summary>Joins the updates of one answer into its text, reasoning and tool calls.</summary>
    private sealed class AnswerBuilder
    {
        private readonly StringBuilder _text = new();
        private StringBuilder? _reasoning;
        private List<ToolCallPart>? _toolCalls;

        public string Text => _text.ToString();

        public void Add(ChatResponseUpdate? update)
        {
            if (update is null)
            {
                return;
            }

            _text.Append(update.TextDelta);
            if (update.ReasoningDelta is { } reasoning)
            {
                (_reasoning ??= new StringBuilder()).Append(reasoning);
            }

            if (update.ToolCallDeltas is { } calls)
            {
                foreach (var call in calls)
                {
                    (_toolCalls ??= []).Add(new ToolCallPart(call.CallId ?? string.Empty, call.Name ?? string.Empty, call.ArgumentsDelta ?? "{}"));
                }
            }
        }

        public ChatChoice ToChoice(FinishReason? finish)
        {
            var parts = new List<MessagePart>(1 + (_toolCalls?.Count ?? 0));
            if (_text.Length > 0 || _toolCalls is null)
            {
                parts.Add(new TextPart(_text.ToString()));
            }

            if (_toolCalls is not null)
            {
                parts.AddRange(_toolCalls);
            }

            return new ChatChoice(0, new ChatMessage(ChatRole.Assistant, parts), finish, _reasoning?.ToString());
        }
    }
}
