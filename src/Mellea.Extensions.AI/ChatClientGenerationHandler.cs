using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>
/// Any Microsoft.Extensions.AI <see cref="IChatClient"/> as a Mellea backend, so that a provider Mellea does not ship still gets
/// Mellea's tracing, metrics, retry and tool loop: <c>chatClient.AsGenerationHandler("anthropic").AsBuilder().UseTracing()…</c>.
/// Create it with <see cref="GenerationHandlerChatClientExtensions.AsGenerationHandler"/>.
/// </summary>
/// <remarks>
/// <para>It follows the <see cref="IGenerationHandler"/> contract: the request is validated before the client is called, and a
/// failure of the client becomes a <see cref="GenerationException"/> (category from <see cref="ErrorClassifier"/>, the client's
/// exception as the inner exception); the caller's cancellation stays an <see cref="OperationCanceledException"/>.</para>
/// <para>Streams: text and reasoning become deltas as they come; each whole function call becomes one tool-call delta; the usage
/// reports (<c>UsageContent</c>) are summed; the last update carries the finish reason and the metadata.</para>
/// <para>Raw completion: <see cref="IChatClient"/> has none, so <see cref="CompleteRawAsync"/> fails with
/// <see cref="ErrorCategory.InvalidRequest"/>. Disposing nothing: the client belongs to whoever created it.</para>
/// </remarks>
public sealed class ChatClientGenerationHandler : IGenerationHandler
{
    /// <summary>Creates the adapter.</summary>
    /// <param name="chatClient">The client.</param>
    /// <param name="info">What the client talks to (for telemetry).</param>
    public ChatClientGenerationHandler(IChatClient chatClient, GenerationHandlerInfo info)
    {
        ChatClient = chatClient ?? throw new ArgumentNullException(nameof(chatClient));
        Info = info ?? throw new ArgumentNullException(nameof(info));
    }

    /// <summary>The client behind this handler.</summary>
    public IChatClient ChatClient { get; }

    /// <inheritdoc/>
    public GenerationHandlerInfo Info { get; }

    /// <inheritdoc/>
    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var messages = ToMeaiMessages(request);
        var options = OptionsMapper.ToMeai(request.Options);
        Meai.ChatResponse response;
        try
        {
            response = await ChatClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldWrap(ex, cancellationToken))
        {
            throw Wrap(ex, cancellationToken);
        }

        return ResponseMapper.ToMellea(response, Info, request.Options?.ModelId ?? Info.DefaultModelId);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return StreamAsync(request, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        throw new GenerationException(ErrorCategory.InvalidRequest, "An IChatClient has no raw completion; send a chat request instead.")
        {
            ProviderName = Info.ProviderName,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"ChatClientGenerationHandler({Info})";

    private static List<Meai.ChatMessage> ToMeaiMessages(ChatRequest request)
    {
        var messages = new List<Meai.ChatMessage>(request.Messages.Count);
        foreach (var message in request.Messages)
        {
            messages.Add(MessageMapper.ToMeai(message));
        }

        return messages;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messages = ToMeaiMessages(request);
        var options = OptionsMapper.ToMeai(request.Options);
        Meai.UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        string? responseId = null;
        string? modelId = null;
        AdditionalPropertiesDictionary? extras = null;
        var toolIndex = 0;

        var enumerator = ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using var disposeEnumerator = enumerator.ConfigureAwait(false);
        while (true)
        {
            Meai.ChatResponseUpdate update;
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = enumerator.Current;
            }
            catch (Exception ex) when (ShouldWrap(ex, cancellationToken))
            {
                throw Wrap(ex, cancellationToken);
            }

            finish = update.FinishReason ?? finish;
            responseId = update.ResponseId ?? responseId;
            modelId = update.ModelId ?? modelId;
            extras = update.AdditionalProperties ?? extras;

            StringBuilder? text = null;
            StringBuilder? reasoning = null;
            List<ToolCallUpdate>? toolCalls = null;
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextContent part:
                        (text ??= new StringBuilder()).Append(part.Text);
                        break;
                    case TextReasoningContent thought:
                        (reasoning ??= new StringBuilder()).Append(thought.Text);
                        break;
                    case FunctionCallContent call:
                        var whole = MessageMapper.ToMellea(call);
                        (toolCalls ??= []).Add(new ToolCallUpdate { Index = toolIndex++, CallId = whole.CallId, Name = whole.Name, ArgumentsDelta = whole.ArgumentsJson });
                        break;
                    case UsageContent report:
                        (usage ??= new Meai.UsageDetails()).Add(report.Details);
                        break;
                }
            }

            if (text is not null || reasoning is not null || toolCalls is not null)
            {
                yield return new ChatResponseUpdate { TextDelta = text?.ToString(), ReasoningDelta = reasoning?.ToString(), ToolCallDeltas = toolCalls };
            }
        }

        var finishReason = FinishReasonMapper.ToMellea(finish, toolIndex > 0);
        var metadata = ResponseMapper.Metadata(Info, request.Options?.ModelId ?? Info.DefaultModelId, modelId, responseId, finishReason, UsageMapper.ToMellea(usage), extras, streamed: true);
        yield return new ChatResponseUpdate { FinishReason = finishReason, Metadata = metadata };
    }

    private static bool ShouldWrap(Exception exception, CancellationToken cancellationToken) =>
        exception is not GenerationException and not ArgumentException
        && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private GenerationException Wrap(Exception exception, CancellationToken cancellationToken)
    {
        var classification = ErrorClassifier.Classify(exception, cancellationToken);

        // The client's message can carry request details; the type names the failure, the inner exception keeps the rest.
        return new GenerationException(classification.Category, $"The chat client failed ({exception.GetType().Name}).", exception)
        {
            StatusCode = exception is HttpRequestException { StatusCode: { } status } ? (int)status : null,
            RetryAfter = classification.RetryAfter,
            ProviderName = Info.ProviderName,
        };
    }
}
