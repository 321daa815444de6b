using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>
/// Any Mellea <see cref="IGenerationHandler"/> (a backend, or a <c>GenerationPipeline</c> with its tracing, metrics, retry and tool
/// loop) as a Microsoft.Extensions.AI <see cref="IChatClient"/>, for code that expects one. Create it with
/// <see cref="GenerationHandlerChatClientExtensions.AsChatClient"/>.
/// </summary>
/// <remarks>
/// Messages, options, usage, finish reasons and tool calls are mapped both ways as docs/interop.md describes. The response's
/// <c>RawRepresentation</c> is the Mellea response (or update). <see cref="GetService"/> answers <see cref="ChatClientMetadata"/>
/// (provider, endpoint host and port, default model) and the handler. Disposing the client does not dispose the handler.
/// Thread-safe when the handler is (every Mellea handler is).
/// </remarks>
public sealed class GenerationHandlerChatClient : IChatClient
{
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the adapter.</summary>
    /// <param name="handler">The Mellea handler or pipeline.</param>
    public GenerationHandlerChatClient(IGenerationHandler handler)
    {
        Handler = handler ?? throw new ArgumentNullException(nameof(handler));
        var info = handler.Info;
        Uri? endpoint = null;
        if (info.ServerAddress is { } host)
        {
            // Mellea keeps only the host and port of an endpoint (never a path or credentials).
            var port = info.ServerPort ?? -1;
            endpoint = new UriBuilder(port == 443 ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, host, port).Uri;
        }

        _metadata = new ChatClientMetadata(info.ProviderName, endpoint, info.DefaultModelId);
    }

    /// <summary>The Mellea handler behind this client.</summary>
    public IGenerationHandler Handler { get; }

    /// <inheritdoc/>
    public async Task<Meai.ChatResponse> GetResponseAsync(IEnumerable<Meai.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = ToRequest(messages, options);
        var response = await Handler.ChatAsync(request, cancellationToken).ConfigureAwait(false);
        return ResponseMapper.ToMeai(response, options?.ConversationId);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<Meai.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Meai.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Validate before the first MoveNextAsync, as the Mellea handlers do.
        var request = ToRequest(messages, options);
        return StreamAsync(request, options?.ConversationId, cancellationToken);
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return serviceType.IsInstanceOfType(Handler) ? Handler : null;
    }

    /// <summary>Does nothing: the handler belongs to whoever created it.</summary>
    public void Dispose()
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"GenerationHandlerChatClient({Handler.Info})";

    private static ChatRequest ToRequest(IEnumerable<Meai.ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = new ChatRequest(MessageMapper.ToMellea(messages, options?.Instructions), OptionsMapper.ToMellea(options));
        request.Validate();
        return request;
    }

    private async IAsyncEnumerable<Meai.ChatResponseUpdate> StreamAsync(ChatRequest request, string? conversationId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Microsoft.Extensions.AI streams whole function calls, so Mellea's fragments are assembled and sent with the finish.
        SortedDictionary<int, (string? CallId, string? Name, StringBuilder Arguments)>? calls = null;
        await foreach (var update in Handler.StreamChatAsync(request, cancellationToken).ConfigureAwait(false))
        {
            // Microsoft.Extensions.AI has no choices: updates of other choices are not shown.
            if (update.ChoiceIndex != 0 && update.Metadata is null)
            {
                continue;
            }

            List<AIContent>? contents = null;
            if (update.ChoiceIndex == 0 && update.ReasoningDelta is { Length: > 0 } reasoning)
            {
                (contents ??= []).Add(new TextReasoningContent(reasoning));
            }

            if (update.ChoiceIndex == 0 && update.TextDelta is { Length: > 0 } text)
            {
                (contents ??= []).Add(new TextContent(text));
            }

            if (update.ChoiceIndex == 0 && update.ToolCallDeltas is { Count: > 0 } deltas)
            {
                calls ??= [];
                foreach (var delta in deltas)
                {
                    if (!calls.TryGetValue(delta.Index, out var call))
                    {
                        call = (delta.CallId, delta.Name, new StringBuilder());
                    }

                    call = (call.CallId ?? delta.CallId, call.Name ?? delta.Name, call.Arguments.Append(delta.ArgumentsDelta));
                    calls[delta.Index] = call;
                }
            }

            var ends = (update.ChoiceIndex == 0 && update.FinishReason is not null) || update.Metadata is not null;
            if (ends && calls is { Count: > 0 })
            {
                foreach (var call in calls.Values)
                {
                    (contents ??= []).Add(MessageMapper.ToMeai(new ToolCallPart(call.CallId ?? string.Empty, call.Name ?? string.Empty, call.Arguments.ToString())));
                }

                calls.Clear();
            }

            if (update.Metadata?.Usage is { } usage)
            {
                (contents ??= []).Add(new UsageContent(UsageMapper.ToMeai(usage)!));
            }

            if (contents is null && !ends)
            {
                continue;
            }

            var finish = update.ChoiceIndex == 0 ? update.FinishReason : null;
            if (finish is null && update.Metadata is { FinishReasons.Count: > 0 } final)
            {
                finish = final.FinishReasons[0];
            }

            yield return new Meai.ChatResponseUpdate(Meai.ChatRole.Assistant, contents ?? [])
            {
                FinishReason = FinishReasonMapper.ToMeai(finish),
                ResponseId = update.Metadata?.ResponseId,
                ModelId = update.Metadata?.ResponseModel,
                ConversationId = conversationId,
                RawRepresentation = update,
                AdditionalProperties = update.Metadata is { } metadata ? ResponseMapper.Extras(metadata) : null,
            };
        }
    }
}
