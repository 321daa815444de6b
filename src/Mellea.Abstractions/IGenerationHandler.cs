namespace Mellea;

/// <summary>
/// The one contract every backend implements and every pipeline exposes: chat, streaming chat, and raw batch completion.
/// </summary>
/// <remarks>
/// <para>Implementations must allow concurrent calls. They validate the request (<see cref="ChatRequest.Validate"/>)
/// before any I/O, honour the cancellation token everywhere, and map every failure onto <see cref="GenerationException"/>:
/// a raw <see cref="System.Net.Http.HttpRequestException"/> or <see cref="System.Text.Json.JsonException"/> never escapes.</para>
/// <para>A stream's work ends when the caller finishes enumerating it, or disposes the enumerator early.</para>
/// </remarks>
public interface IGenerationHandler
{
    /// <summary>What this handler talks to: provider, endpoint and default model. Known before any call, so telemetry can use it at span start.</summary>
    GenerationHandlerInfo Info { get; }

    /// <summary>Sends a chat request and returns the whole answer.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer, with its metadata.</returns>
    /// <exception cref="ArgumentException">The request is invalid; no I/O happened.</exception>
    /// <exception cref="GenerationException">The provider or the transport failed.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default);

    /// <summary>Sends a chat request and streams the answer as it is generated.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the stream.</param>
    /// <returns>The updates. The last one carries the final <see cref="GenerationMetadata"/>.</returns>
    IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default);

    /// <summary>Completes a batch of raw prompts, one result per prompt, in prompt order.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The completions and the batch's metadata.</returns>
    ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default);
}
